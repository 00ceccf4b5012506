import type { CheerioAPI } from 'cheerio/slim';
import { absolute, baseUrl } from './links.js';

/**
 * Where a page sends the browser without an HTTP redirect: <meta http-equiv="refresh"> or a
 * script assigning location. Government sites answer removed pages this way ("returning to the
 * home page"). Only a page that says little else is treated as a redirect.
 */
export function clientRedirect($: CheerioAPI, pageUrl: string, bodyText: string): string | undefined {
  const base = baseUrl($, pageUrl);
  const refresh = $('meta[http-equiv="refresh" i]').attr('content');
  const m = refresh ? /url\s*=\s*['"]?([^'";\s]+)/i.exec(refresh) : null;
  if (m) return absolute(m[1]!, base);
  if (bodyText.replace(/\s/g, '').length > 200) return undefined;
  for (const el of $('script').toArray()) {
    const code = $(el).html() ?? '';
    const js = /(?:window\.|self\.|top\.|document\.)?location(?:\.href)?\s*=\s*['"]([^'"]+)['"]|location\.replace\(\s*['"]([^'"]+)['"]\s*\)/.exec(code);
    if (js) return absolute(js[1] ?? js[2]!, base);
  }
  return undefined;
}
