import type { SiteCode } from '../config/site-code.js';
import type { Site } from '../config/site-file.js';
import { decodeBody, type Decoded } from '../extract/decode.js';
import { parseHtml } from '../extract/html.js';
import { extractListing, type Listing } from '../extract/listing.js';
import type { KnownUrls } from './known-urls.js';
import { headerString, type PageReader } from './page-reader.js';
import type { PassProgress } from './progress.js';
import type { RunContext } from './run-context.js';
import type { PassFailure, PassPage, PassTask } from './task-data.js';

export interface ListRoot {
  url: string;
  spec: Site['lists'][number];
  pages: number;
  maxPages: number;
  seen: Set<string>;
  /** list pages fetched or queued: what maxPages counts */
  queued: number;
  stopped?: string;
  /** a page of this list could not be read: the list was not seen whole */
  failed?: boolean;
}

/** The part of a site's outcome the list walk counts. */
export interface ListCounts {
  listPages: number;
  listFailures: string[];
  postingsSeen: number;
}

export interface ListWalkDeps {
  site: Site;
  ctx: RunContext;
  reader: PageReader;
  known: KnownUrls;
  progress: PassProgress;
  counts: ListCounts;
  /** list pages per list at most (overrides the site file) */
  maxPages?: number;
  /** a browser is at hand to render lists built by script */
  browser: boolean;
  problem: (url: string, problem: string) => void;
  /** a posting already read in this pass, waiting for its attachments */
  isPending: (url: string) => boolean;
  /** the site's own code: its lists are an API's answers (config/site-code.ts) */
  code?: SiteCode;
}

const DEFAULT_MAX_PAGES = 100;
/** A list page with more posting links than this is hostile or a site map, not a list. */
const MAX_LINKS_PER_LIST_PAGE = 1000;
const SCRIPTED_LIST = /fetch\(|XMLHttpRequest|\$\.(ajax|get|post|getJSON)\(|axios\./;

/**
 * A site's list pages: each list from its first page through its pagination, guarded against
 * traps and capped at maxPages; the postings they link that are not known yet.
 */
export class ListWalk {
  private readonly roots = new Map<string, ListRoot>();
  /** every list page asked for, and the list it belongs to */
  private readonly listRootOf = new Map<string, string>();
  /** first pages that yielded no links; judged at the end of the pass */
  readonly emptyLists: { url: string; at: string }[] = [];
  /** lists whose first page yielded posting links */
  readonly yieldedLists = new Set<string>();
  /** the dates an API's list gave its postings (site code) */
  private readonly listedDates = new Map<string, string>();

  constructor(private readonly d: ListWalkDeps) {}

  /** The first page of each of the site's lists. */
  start(): PassTask[] {
    return this.d.site.lists.map((spec) => {
      const maxPages = this.d.maxPages ?? spec.maxPages ?? DEFAULT_MAX_PAGES;
      this.roots.set(spec.url, { url: spec.url, spec, pages: 0, queued: 1, maxPages, seen: new Set() });
      this.listRootOf.set(spec.url, spec.url);
      return this.listTask(spec.url, spec.url, 1, false);
    });
  }

  /** Lists read to the end without a failure, a trap or the cap: what left them is delisted. */
  wholeLists(): string[] {
    // a list whose first page yields no posting at all is broken (its layout changed), not emptied:
    // reading it as whole would call every posting it used to list delisted
    return [...this.roots.values()].filter((r) => r.pages > 0 && !r.failed && !r.stopped && this.yieldedLists.has(r.url)).map((r) => r.url);
  }

  onFailure(f: PassFailure): void {
    this.d.counts.listFailures.push(`${f.task.url}: ${f.kind} (${f.message})`);
    const root = f.task.data?.kind === 'list' ? this.roots.get(f.task.data.root) : undefined;
    if (root) root.failed = true;
  }

  private listTask(url: string, root: string, n: number, generated: boolean): PassTask {
    this.listRootOf.set(url, root);
    // a list page unchanged since the last run can answer 304; its links are read from that capture
    const prev = this.d.ctx.catalogue.lastListCapture(url);
    const headers: Record<string, string> = {};
    if (prev?.etag) headers['If-None-Match'] = prev.etag;
    if (prev?.last_modified) headers['If-Modified-Since'] = prev.last_modified;
    return { url, purpose: { siteId: this.d.site.id, label: 'list' }, headers, data: { kind: 'list', root, n, generated } };
  }

  onList(fetched: PassPage): PassTask[] {
    const data = fetched.task.data;
    if (data?.kind !== 'list') throw new Error('internal: a list page without its list');
    const root = this.roots.get(data.root)!;
    const counts = this.d.counts;
    root.pages++;
    counts.listPages++;
    this.d.progress.list(this.d.site.id);
    let page = fetched;
    const url = page.task.url;
    const at = page.chain[page.chain.length - 1]!.startedAt.toISOString();
    let body = page.body;
    let contentType = headerString(page.headers['content-type']);
    const prev = page.status === 304 ? this.d.ctx.catalogue.lastListCapture(url) : undefined;
    if (prev) {
      body = this.d.ctx.blobs.get(prev.body_sha256);
      contentType = prev.content_type ?? undefined;
      page = { ...page, status: 200 };
    }
    if (page.status === 404 && data.generated) {
      // a numbered page past the last one: the end of the list, not a failure
      root.pages--;
      counts.listPages--;
      return [];
    }
    if (page.status !== 200) {
      root.failed = true;
      counts.listFailures.push(`${url}: HTTP ${page.status}`);
      if (root.pages === 1) counts.listPages--;
      return [];
    }
    const decoded = decodeBody(body, contentType, this.d.site.encoding);
    let listing: Listing;
    try {
      listing = this.d.code?.readList ? this.coded(page, decoded, contentType) : this.links(root, page, decoded);
    } catch (err) {
      // an API that answered something else (a WAF's page, an error): this list was not read
      root.failed = true;
      counts.listFailures.push(`${url}: ${(err as Error).message}`);
      this.d.problem(url, `list page not read by the site's code: ${(err as Error).message}`);
      return [];
    }
    const fresh = listing.postings.filter((l) => !root.seen.has(l.url));
    for (const l of listing.postings) root.seen.add(l.url);
    const problems: string[] = decoded.note ? [`charset: ${decoded.note}`] : [];
    const follow = this.paginate(root, data.n, url, listing, fresh.length, problems);
    if (listing.postings.length === 0 && !this.d.code && !page.rendered && this.d.site.fetch !== 'http' && this.d.browser && SCRIPTED_LIST.test(decoded.text)) {
      // an empty shell that loads its list with a script: read it as a browser renders it
      root.pages--;
      counts.listPages--;
      return [{ ...page.task, render: true }];
    }
    if (listing.postings.length === 0) problems.push('no posting links found on this list page');
    this.record(page, root, listing, decoded, problems, { fresh: !prev, at });
    // judged at the end of the pass: an empty list during an outage is the outage, not a new layout
    if (listing.postings.length === 0 && root.url === url) this.emptyLists.push({ url, at });
    if (listing.postings.length > 0 && root.url === url) this.yieldedLists.add(url);

    for (const l of listing.postings) {
      counts.postingsSeen++;
      if (this.d.known.posting(l.url) || this.d.isPending(l.url)) continue;
      this.d.progress.postingQueued(this.d.site.id);
      follow.push({ url: l.url, purpose: { siteId: this.d.site.id, label: 'posting', parentUrl: page.finalUrl }, data: { kind: 'posting', listUrl: page.finalUrl, listRoot: root.url, linkText: l.text, published: this.listedDates.get(l.url) } });
    }
    return follow;
  }

  /** A list page the site's code reads (an API's JSON): its postings with their titles and dates. */
  private coded(page: PassPage, decoded: Decoded, contentType: string | undefined): Listing {
    const r = this.d.code!.readList!({ url: page.task.url, status: page.status, contentType, text: decoded.text });
    for (const p of r.postings) if (p.published) this.listedDates.set(p.url, p.published);
    return { postings: r.postings.map((p) => ({ url: p.url, text: p.title })), pages: r.next ? [r.next] : [], method: 'none' };
  }

  private links(root: ListRoot, page: PassPage, decoded: Decoded): Listing {
    const $ = parseHtml(decoded.text);
    const listing = extractListing($, page.finalUrl, { links: root.spec.links, follow: this.d.site.follow, next: root.spec.next });
    if (listing.postings.length > MAX_LINKS_PER_LIST_PAGE) {
      this.d.problem(page.task.url, `${listing.postings.length} posting links on one list page; only the first ${MAX_LINKS_PER_LIST_PAGE} are followed`);
      listing.postings = listing.postings.slice(0, MAX_LINKS_PER_LIST_PAGE);
    }
    return listing;
  }

  /** Pagination, guarded: a page that only repeats earlier links is a trap, and maxPages caps it. */
  private paginate(root: ListRoot, n: number, url: string, listing: Listing, fresh: number, problems: string[]): PassTask[] {
    if (listing.postings.length > 0 && fresh === 0) {
      root.stopped = 'pagination trap: the page only repeats links of earlier pages; pagination stopped here';
      problems.push(root.stopped);
      this.d.problem(url, root.stopped);
      return [];
    }
    const follow: PassTask[] = [];
    const next = listing.pages.map((u) => ({ url: u, generated: false }));
    if (root.spec.pattern && fresh > 0) {
      next.push({ url: new URL(root.spec.pattern.replace('{n}', String(root.spec.start + n - 1)), root.url).href, generated: true });
    }
    for (const { url: nextUrl, generated } of next) {
      if (this.listRootOf.has(nextUrl)) continue;
      if (root.queued >= root.maxPages) {
        if (!root.stopped) {
          root.stopped = `stopped after ${root.maxPages} list pages (maxPages)`;
          this.d.problem(root.url, root.stopped);
        }
        break;
      }
      root.queued++;
      follow.push(this.listTask(nextUrl, root.url, n + 1, generated));
    }
    return follow;
  }

  /** The list page's capture (unless it answered 304) and the listings of the known postings it links. */
  private record(page: PassPage, root: ListRoot, listing: Listing, decoded: Decoded, problems: string[], o: { fresh: boolean; at: string }): void {
    const fetchId = this.d.reader.fetchIdOf(page.chain);
    const catalogue = this.d.ctx.catalogue;
    catalogue.transaction(() => {
      if (o.fresh) catalogue.saveCapture(this.d.reader.captureInput(page, fetchId, 'list', { charset: decoded.charset, charsetNote: decoded.note, title: undefined, problems }));
      for (const l of listing.postings) {
        if (!this.d.known.posting(l.url)) continue;
        const p = catalogue.page(l.url);
        if (p) catalogue.recordListing(p.id, root.url, page.finalUrl, this.d.ctx.runId, o.at);
      }
    });
  }
}
