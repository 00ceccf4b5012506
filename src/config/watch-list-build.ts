import { hostIn, isGovernmentHost } from './official-hosts.js';
import { hostSiteId, type SiteIndex } from './site-of-url.js';
import type { WatchEntry, WatchList } from './watch-list.js';

/** A page a report cites, as the citation reader found it. */
export type CitedPage = Omit<WatchEntry, 'site'>;

export interface WatchListBuild {
  list: WatchList;
  /** cited pages on hosts that are not watched: not government, no site file, not in --hosts */
  left: CitedPage[];
}

/**
 * The watch list of a report's cited pages: those on government hosts, on hosts a site file
 * covers, or on hosts the user names (`hosts`), each with the site it will be watched on — the
 * covering site file's, else one for its host (the id an ad hoc crawl of it gets).
 */
export function buildWatchList(
  pages: CitedPage[],
  o: { name: string; title?: string; source?: { file: string; sha256: string }; importedAt: string; index: SiteIndex; hosts: string[] },
): WatchListBuild {
  const entries: WatchEntry[] = [];
  const left: CitedPage[] = [];
  for (const page of pages) {
    const host = new URL(page.url).hostname;
    const covering = o.index.covering(page.url);
    if (!covering && !isGovernmentHost(host) && !hostIn(o.hosts, host)) {
      left.push(page);
      continue;
    }
    entries.push({ url: page.url, site: covering?.id ?? hostSiteId(page.url), footnotes: page.footnotes, context: page.context, archived: page.archived });
  }
  const list: WatchList = { name: o.name, ...(o.title ? { title: o.title } : {}), ...(o.source ? { source: o.source } : {}), imported_at: o.importedAt, entries };
  return { list, left };
}
