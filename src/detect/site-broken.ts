import type { ListHistory } from '../store/listing-reads.js';
import type { SiteBrokenEvent } from './events.js';

/**
 * A list page that used to yield postings and now yields none: the site changed its layout (or
 * broke), and the watch sees nothing new there. Reported once until the list yields links again.
 */
export function siteBroken(site: string, listUrl: string, history: ListHistory, at: string): SiteBrokenEvent | undefined {
  if (!history.lastYieldedAt || history.reportedSince) return undefined;
  return { kind: 'site_broken', site, url: listUrl, reason: 'no_links', detail: `the list page yields no posting links (last yielded some at ${history.lastYieldedAt})`, at };
}

/**
 * A list page whose `links:` matches nothing while links of a posting's URL shape are there: the
 * layout changed under the site file (or it was wrong from the start). The fallback keeps the
 * watch going, so this is said once, until the selector yields again — not on every run.
 */
export function selectorBroken(site: string, listUrl: string, history: ListHistory, f: { links: string; found: number }, at: string): SiteBrokenEvent | undefined {
  if (history.reportedSince) return undefined;
  const since = history.lastYieldedAt ? `it last yielded postings at ${history.lastYieldedAt}` : 'it never yielded postings';
  const links = f.links.length > 80 ? `${f.links.slice(0, 79)}…` : f.links;
  return {
    kind: 'site_broken',
    site,
    url: listUrl,
    reason: 'selector_matches_nothing',
    detail: `links: ${links} matches nothing on the list page; ${f.found} posting link(s) were found by their URL shape instead, and new postings among them are reported (${since}) — fix links: in the site file`,
    selector: f.links,
    fallback: { method: 'url-shape', postings: f.found },
    at,
  };
}
