import type { CheerioAPI } from 'cheerio/slim';
import { absolute, baseUrl } from './links.js';

/** A file a page needs to look as it did: a stylesheet (which may name more) or an image or font. */
export interface Requisite {
  url: string;
  kind: 'style' | 'image';
}

/**
 * What a browser would load to draw the page: stylesheets, images (also old-style `background`
 * attributes, which county CMS templates still use) and whatever inline styles name. Scripts,
 * frames and media are not requisites of a picture: a replay refuses them.
 */
export function htmlRequisites($: CheerioAPI, pageUrl: string): Requisite[] {
  const base = baseUrl($, pageUrl);
  const out = new Map<string, Requisite>();
  const add = (ref: string | undefined, kind: Requisite['kind']) => {
    const url = resolve(ref, base);
    if (url && !out.has(url)) out.set(url, { url, kind });
  };
  $('link[href]').each((_, el) => {
    const rel = ($(el).attr('rel') ?? '').toLowerCase().split(/\s+/);
    if (rel.includes('stylesheet') && !rel.includes('alternate')) add($(el).attr('href'), 'style');
  });
  $('img[src], input[type=image][src]').each((_, el) => add($(el).attr('src'), 'image'));
  // the candidate a 1× screen takes: the first one, or the one marked 1x
  $('img[srcset], picture source[srcset]').each((_, el) => add(firstCandidate($(el).attr('srcset') ?? ''), 'image'));
  $('[background]').each((_, el) => add($(el).attr('background'), 'image'));
  $('video[poster]').each((_, el) => add($(el).attr('poster'), 'image'));
  $('[style]').each((_, el) => {
    for (const r of cssRequisites($(el).attr('style') ?? '', base)) add(r.url, r.kind);
  });
  $('style').each((_, el) => {
    for (const r of cssRequisites($(el).text(), base)) add(r.url, r.kind);
  });
  return [...out.values()];
}

/** What a stylesheet names: `@import`ed sheets, and the images and fonts of its `url()`s. */
export function cssRequisites(css: string, sheetUrl: string): Requisite[] {
  const out = new Map<string, Requisite>();
  const text = css.length > 2_000_000 ? css.slice(0, 2_000_000) : css;
  // bounded repetitions: a sheet of unclosed `url(` must not make the scan quadratic
  const noComments = withoutComments(text);
  for (const m of noComments.matchAll(/@import\s+(?:url\(\s*)?(["']?)([^"')\s;]{1,2048})\1\s*\)?/gi)) {
    const url = resolve(m[2], sheetUrl);
    if (url) out.set(url, { url, kind: 'style' });
  }
  for (const ref of urlRefs(noComments)) {
    const url = resolve(ref, sheetUrl);
    if (url && !out.has(url)) out.set(url, { url, kind: 'image' });
  }
  return [...out.values()];
}

/**
 * What each `url(…)` holds, in one pass: the closing parenthesis is looked for once per stretch
 * of text, not once per `url(` (a sheet of a million unclosed ones stays linear).
 */
function urlRefs(css: string): string[] {
  const out: string[] = [];
  const lower = css.toLowerCase();
  let close = -1;
  for (let at = lower.indexOf('url(', 0); at >= 0; at = lower.indexOf('url(', at + 4)) {
    if (close < at) close = css.indexOf(')', at);
    if (close < 0) break;
    const inner = css.slice(at + 4, close).trim().replace(/^(["'])(.*)\1$/s, '$2').trim();
    if (inner && inner.length <= 2048) out.push(inner);
  }
  return out;
}

/** CSS without its comments, in one pass (an unclosed comment runs to the end, as in a browser). */
function withoutComments(css: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const open = css.indexOf('/*', at);
    if (open < 0) return out + css.slice(at);
    out += css.slice(at, open);
    const close = css.indexOf('*/', open + 2);
    if (close < 0) return out;
    at = close + 2;
  }
}

function firstCandidate(srcset: string): string | undefined {
  const candidates = srcset.split(',').map((c) => c.trim().split(/\s+/));
  return (candidates.find((c) => c[1] === '1x') ?? candidates[0])?.[0];
}

/** An absolute http(s) URL without its fragment, or undefined for data:, javascript: and junk. */
function resolve(ref: string | undefined, base: string): string | undefined {
  return ref && ref.length <= 2048 ? absolute(ref, base) : undefined;
}
