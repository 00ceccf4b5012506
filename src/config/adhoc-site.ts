import { InputError } from './errors.js';
import { resolveSite, type Site } from './site-file.js';
import { siteSchema } from './site-schema.js';
import { hostSiteId } from './site-of-url.js';

export interface AdhocOptions {
  follow?: string;
  maxPages?: number;
  delayMs?: number;
}

/**
 * A bare URL crawled ad hoc: the page is treated as a list page (its pagination is followed up to
 * --max-pages) and the same-site links on it that match --follow, or that look like postings,
 * are the postings. When a site file covers the URL's host, its settings are used.
 */
export function adhocSite(url: string, base: Site | undefined, opts: AdhocOptions): Site {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError(`"${url}" is neither a site id, a site file nor an http(s) URL`);
  }
  if (opts.follow !== undefined) {
    try {
      new RegExp(opts.follow);
    } catch (err) {
      throw new InputError(`is not a valid regular expression: ${(err as Error).message}`, undefined, undefined, '--follow');
    }
  }
  const list = { url: u.href, start: 1, ...(opts.maxPages ? { maxPages: opts.maxPages } : {}) };
  if (base) {
    // the site file's own description of this list (links, next, pattern), when it has one
    const known = base.lists.find((l) => l.url === u.href);
    return {
      ...base,
      follow: opts.follow ?? base.follow,
      lists: [{ ...(known ?? list), ...(opts.maxPages ? { maxPages: opts.maxPages } : {}), ...(opts.follow ? { links: undefined } : {}) }],
      rate: opts.delayMs !== undefined ? { ...base.rate, delayMs: opts.delayMs } : base.rate,
      source: `adhoc (settings of ${base.id})`,
    };
  }
  const file = siteSchema.parse({
    id: hostSiteId(u.href),
    name: u.host,
    home: `${u.protocol}//${u.host}/`,
    lists: [list],
    ...(opts.follow ? { follow: opts.follow } : {}),
    rate: opts.delayMs !== undefined ? { perHost: 1, delayMs: opts.delayMs } : { perHost: 1 },
  });
  return resolveSite(file, 'adhoc');
}
