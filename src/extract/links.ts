import type { CheerioAPI } from 'cheerio/slim';
import type { Element } from 'domhandler';
import { inlineText } from './html.js';

export interface Link {
  url: string;
  text: string;
}

/** The document's base for relative links: <base href> if valid, else the page URL. */
export function baseUrl($: CheerioAPI, pageUrl: string): string {
  const href = $('base[href]').first().attr('href');
  if (href) {
    try {
      return new URL(href, pageUrl).href;
    } catch {
      // a broken <base> is ignored as browsers do
    }
  }
  return pageUrl;
}

export function absolute(href: string, base: string): string | undefined {
  const h = href.trim().replace(/[\r\n\t]/g, '');
  if (!h || h.startsWith('#') || /^(javascript|mailto|tel|data|vbscript):/i.test(h)) return undefined;
  try {
    const u = new URL(h, base);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    u.hash = '';
    return u.href;
  } catch {
    return undefined;
  }
}

/** Every link on the page (or under `scope`), absolute, without fragments, in document order. */
export function extractLinks($: CheerioAPI, pageUrl: string, scope?: string): Link[] {
  const base = baseUrl($, pageUrl);
  const out: Link[] = [];
  const root = scope ? $(scope) : $.root();
  root.find('a[href], area[href]').each((_, el) => {
    const url = absolute((el as Element).attribs.href ?? '', base);
    if (url) out.push({ url, text: inlineText($, el).slice(0, 300) || ((el as Element).attribs.title ?? '') });
  });
  return out;
}

export function sameSite(a: string, b: string): boolean {
  try {
    const ha = new URL(a).hostname.replace(/^www\./, '');
    const hb = new URL(b).hostname.replace(/^www\./, '');
    return ha === hb;
  } catch {
    return false;
  }
}
