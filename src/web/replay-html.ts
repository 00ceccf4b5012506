import { load } from 'cheerio';
import { absolute, baseUrl } from '../extract/links.js';

/** Attributes that make a browser fetch or go somewhere. */
const URL_ATTRS = ['src', 'href', 'srcset', 'poster', 'background', 'data', 'action', 'formaction', 'codebase', 'cite', 'longdesc', 'usemap', 'ping', 'xlink:href'];

/**
 * A captured page made inert for the replay frame: every reference to one of its recorded
 * requisites (stylesheets, images, fonts) points at the view's copy of it; every other address —
 * links, scripts, frames, forms, pictures never recorded — is kept only as a data-xj-* attribute,
 * so that nothing in it can make the browser fetch, prefetch or navigate anywhere. Refreshes,
 * <base>, resource hints and charset declarations go (the view serves it as UTF-8). The frame's
 * sandbox and CSP hold even where this misses something; this makes the page faithful as well.
 */
export function inertPage(html: string, pageUrl: string, recorded: Set<string>, local: (url: string) => string): string {
  const $ = load(html);
  const base = baseUrl($, pageUrl);
  $('base, meta[http-equiv], meta[charset], script, noscript, iframe, frame, frameset, object, embed, applet, portal').remove();
  $('link').each((_, el) => {
    const rel = ($(el).attr('rel') ?? '').toLowerCase();
    const href = absolute($(el).attr('href') ?? '', base);
    if (/\bstylesheet\b/.test(rel) && href && recorded.has(href)) $(el).attr('href', local(href));
    else $(el).remove();
  });
  $('style').each((_, el) => {
    $(el).text(inertCss($(el).text(), base, recorded, local));
  });
  $('*').each((_, el) => {
    const attribs = (el as { attribs?: Record<string, string> }).attribs;
    if (!attribs) return;
    for (const name of Object.keys(attribs)) {
      const lower = name.toLowerCase();
      if (lower.startsWith('on')) {
        $(el).removeAttr(name);
        continue;
      }
      if (lower === 'style') {
        $(el).attr(name, inertCss(attribs[name]!, base, recorded, local));
        continue;
      }
      if (!URL_ATTRS.includes(lower) || (el as { tagName?: string }).tagName === 'link') continue;
      const value = attribs[name]!;
      const url = lower === 'srcset' ? undefined : absolute(value, base);
      const tag = (el as { tagName?: string }).tagName;
      if (url && recorded.has(url) && (lower === 'src' || lower === 'background' || lower === 'poster') && tag !== 'a') {
        $(el).attr(name, local(url));
        continue;
      }
      $(el).removeAttr(name);
      $(el).attr(`data-xj-${lower.replace(':', '-')}`, url ?? value);
    }
  });
  return $.html();
}

/** A recorded stylesheet's url(...) references, pointed at the view's copies where recorded and emptied elsewhere. */
export function inertCss(css: string, cssUrl: string, recorded: Set<string>, toLocal: (url: string) => string): string {
  // the view's own addresses, once made, are left as they are by the second pass
  const made = new Set<string>();
  const local = (u: string) => {
    const l = toLocal(u);
    made.add(l);
    return l;
  };
  return css
    .replace(/@import\s+(url\()?\s*(['"]?)([^'")\s;]+)\2\s*\)?[^;]*;/gi, (_m, _u, _q, ref: string) => {
      const url = absolute(ref, cssUrl);
      return url && recorded.has(url) ? `@import url("${local(url)}");` : '';
    })
    .replace(/url\(\s*(['"]?)([^'")]+)\1\s*\)/gi, (_m, _q, ref: string) => {
      if (/^data:/i.test(ref) || made.has(ref)) return `url("${ref}")`;
      const url = absolute(ref, cssUrl);
      return url && recorded.has(url) ? `url("${local(url)}")` : 'url("")';
    });
}
