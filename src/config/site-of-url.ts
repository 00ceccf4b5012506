import { hostMatches, registrableDomain } from '../fetch/redirect-policy.js';
import { listSiteFiles, loadSiteFile, resolveSite, type Site } from './site-file.js';
import { siteSchema } from './site-schema.js';

/** A host as politeness and redirects see it: its registrable domain, and the port if not the scheme's. */
function siteKey(u: URL): string {
  return `${registrableDomain(u.hostname)}:${u.port}`;
}

/**
 * The site files of the site folders, asked which covers a URL: the site whose home, list or
 * pinned pages are on the URL's host (or another host of its domain — www.kashi.gov.cn and
 * kashi.gov.cn are one site, as redirects are followed between them), or whose `redirects.hosts`
 * names the host exactly. Earlier folders win (the data directory's before the bundled ones); a
 * site file that does not load is skipped here (`xjwatch sites` reports it). Files are indexed
 * without their proxy; the site handed out is loaded with it (`env`), so that a site whose proxy
 * variable is unset fails naming it instead of being taken for no site and fetched directly.
 */
export class SiteIndex {
  private loaded: { site: Site; file: string }[] | undefined;

  /** `env: false`: the sites without their proxies (import needs only which site covers a URL). */
  constructor(
    private readonly dirs: string[],
    private readonly env: NodeJS.ProcessEnv | false = process.env,
  ) {}

  // read on the first question: a crawl of one site file asks none, and parsing every bundled
  // site file took a fifth of such a crawl's start-up
  private get sites(): { site: Site; file: string }[] {
    if (this.loaded) return this.loaded;
    const sites: { site: Site; file: string }[] = [];
    // kept only once whole: a folder that cannot be listed fails every question, not only the first
    for (const file of listSiteFiles(this.dirs).values()) {
      try {
        sites.push({ site: loadSiteFile(file, false), file });
      } catch {
        // a broken unrelated site file must not stop the others
      }
    }
    return (this.loaded = sites);
  }

  byId(id: string): Site | undefined {
    return this.load(this.sites.find((s) => s.site.id === id));
  }

  /** The site file covering the URL's host, if any. */
  covering(url: string): Site | undefined {
    const u = new URL(url);
    const key = siteKey(u);
    return this.load(
      this.sites.find(({ site: s }) => [s.home, ...s.lists.map((l) => l.url), ...s.pinned].some((h) => siteKey(new URL(h)) === key)) ??
        this.sites.find(({ site: s }) => s.redirects.hosts.some((p) => !p.includes('*') && hostMatches(p, u.hostname))),
    );
  }

  private load(entry: { site: Site; file: string } | undefined): Site | undefined {
    return entry && (this.env === false ? entry.site : loadSiteFile(entry.file, this.env));
  }
}

/** The id a host gets when no site file covers it: the one `xjwatch crawl <URL>` gives it too. */
export function hostSiteId(url: string): string {
  const u = new URL(url);
  return u.host.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64) || 'adhoc';
}

/**
 * A site watched only for pages a watch list names on a host no site file describes: no list
 * pages, those pages pinned, every other setting the default (one request at a time, a second
 * apart; rechecked every revisit.pinnedHours). `source` says which list asked for it.
 */
export function pinnedOnlySite(id: string, urls: string[], source: string): Site {
  const first = new URL(urls[0]!);
  return resolveSite(siteSchema.parse({ id, name: first.host, home: `${first.protocol}//${first.host}/`, lists: [], pinned: urls }), source);
}
