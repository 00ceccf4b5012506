import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { adhocSite, type AdhocOptions } from './adhoc-site.js';
import { InputError } from './errors.js';
import { findSiteFile, loadSiteFile, siteDirs, type Site } from './site-file.js';
import { hostSiteId, pinnedOnlySite, SiteIndex } from './site-of-url.js';
import { findWatchList, isWatchListFile, listWatchLists, loadWatchList, watchListDirs, type LoadedWatchList } from './watch-list.js';

export interface TargetDirs {
  /** folders of site files, first match wins */
  sites: string[];
  /** folders of watch lists, first match wins */
  lists: string[];
  /** the data directory's own lists: their pages are pinned on their sites in every run */
  standing: string[];
}

/** Site files and watch lists, the data directory's before the bundled ones; its own lists stand. */
export function runTargetDirs(dataDir: string, packageRoot: string): TargetDirs {
  return { sites: siteDirs(dataDir, packageRoot), lists: watchListDirs(dataDir, packageRoot), standing: [join(dataDir, 'lists')] };
}

export interface RunTargets {
  /** the sites to pass over; a site reached only through a named list walks no list page */
  sites: Site[];
  /** the sites reached only through named lists, each with the lists' URLs on it */
  listOnly: Map<string, string[]>;
  /** the watch lists named */
  lists: LoadedWatchList[];
  /** standing lists that could not be read (the run goes on without them) */
  problems: string[];
}

/**
 * What `crawl` or `watch` was asked to run: site ids, site files and bare URLs (as before), and
 * watch lists by name (`zenz-2019`: `<data-dir>/lists/`, then `crawlers/lists/`) or file. A site
 * id is looked for before a list name.
 *
 * Every page of the named lists, and of the data directory's standing lists, is pinned on its
 * site: the site it is already catalogued under (`knownSite`), else the entry's `site:`, else
 * the site file covering its host, else a site of its own for the host (id from the host, as an
 * ad hoc crawl names it). A site named in full keeps its lists and gains the pins; a site only a
 * named list reaches is passed over for the list's pages alone (no list page walked; a site file's
 * settings when one describes it, the defaults otherwise).
 */
export function resolveRunTargets(args: string[], dirs: TargetDirs, adhoc: AdhocOptions, knownSite: (url: string) => string | undefined = () => undefined): RunTargets {
  if (args.length === 0) throw new InputError('name at least one site id, site file, watch list or URL (see `xjwatch sites`)');
  const full: Site[] = [];
  const named: LoadedWatchList[] = [];
  const index = new SiteIndex(dirs.sites);
  for (const arg of args) {
    if (/^https?:\/\//i.test(arg)) {
      full.push(adhocSite(arg, index.covering(arg), adhoc));
    } else if (/\.ya?ml$/i.test(arg) || (existsSync(arg) && statSync(arg).isFile())) {
      if (!existsSync(arg)) throw new InputError('no such site file or watch list', arg);
      if (isWatchListFile(arg)) named.push(loadWatchList(arg));
      else full.push(loadSiteFile(arg));
    } else {
      const siteFile = findSiteFile(arg, dirs.sites);
      const listFile = siteFile ? undefined : findWatchList(arg, dirs.lists);
      if (siteFile) full.push(loadSiteFile(siteFile));
      else if (listFile) named.push(loadWatchList(listFile));
      else throw new InputError(`no site "${arg}", nor a watch list of that name, in ${[...dirs.sites, ...dirs.lists].join(', ')} (see \`xjwatch sites\`)`);
    }
  }
  const ids = new Set<string>();
  for (const s of full) {
    if (ids.has(s.id)) throw new InputError(`site "${s.id}" is named twice`);
    ids.add(s.id);
  }

  const problems: string[] = [];
  const lists = new Map(named.map((l) => [l.file, { list: l, named: true }]));
  for (const file of listWatchLists(dirs.standing).values()) {
    if (lists.has(resolve(file))) continue;
    try {
      const list = loadWatchList(file);
      lists.set(list.file, { list, named: false });
    } catch (e) {
      problems.push((e as Error).message);
    }
  }

  // which site each listed page is watched on
  const groups = new Map<string, { urls: string[]; named: string[]; lists: Set<string> }>();
  for (const { list, named: isNamed } of lists.values()) {
    for (const entry of list.entries) {
      const id = knownSite(entry.url) ?? entry.site ?? index.covering(entry.url)?.id ?? hostSiteId(entry.url);
      let g = groups.get(id);
      if (!g) groups.set(id, (g = { urls: [], named: [], lists: new Set() }));
      if (!g.urls.includes(entry.url)) g.urls.push(entry.url);
      if (isNamed && !g.named.includes(entry.url)) g.named.push(entry.url);
      if (isNamed) g.lists.add(list.name);
    }
  }

  const sites = [...full];
  const listOnly = new Map<string, string[]>();
  for (const [id, g] of groups) {
    const whole = sites.findIndex((s) => s.id === id);
    if (whole >= 0) {
      const s = sites[whole]!;
      sites[whole] = { ...s, pinned: union(s.pinned, g.urls) };
      continue;
    }
    if (!g.named.length) continue; // a standing list's page on a site this run does not pass over
    const why = `watch list ${[...g.lists].join(', ')}`;
    const base = index.byId(id);
    sites.push(base ? { ...base, lists: [], pinned: union(base.pinned, g.urls), source: `${base.source} (its pinned pages only, for ${why})` } : pinnedOnlySite(id, g.urls, why));
    listOnly.set(id, g.named);
  }
  return { sites, listOnly, lists: named, problems };
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}
