import type { ListHistory } from '../store/listing-reads.js';
import type { SiteBrokenEvent } from './events.js';

/**
 * A list page that used to yield postings and now yields none: the site changed its layout (or
 * broke), and the watch sees nothing new there. Reported once until the list yields links again.
 */
export function siteBroken(site: string, listUrl: string, history: ListHistory, at: string): SiteBrokenEvent | undefined {
  if (!history.lastYieldedAt || history.reportedSince) return undefined;
  return { kind: 'site_broken', site, url: listUrl, reason: `the list page yields no posting links (last yielded some at ${history.lastYieldedAt})`, at };
}
