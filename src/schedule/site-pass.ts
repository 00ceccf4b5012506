import type { Site } from '../config/site-file.js';
import type { AttachmentSummary, XjEvent } from '../detect/events.js';
import { newPostingEvent } from '../detect/new-posting.js';
import { decodeBody } from '../extract/decode.js';
import type { Exchange } from '../fetch/exchange.js';
import { crawlSite } from '../fetch/site-crawler.js';
import { attachmentName, NOT_LISTED, passFailure, passPage, postingData, type PassFailure, type PassPage, type PassTask } from './task-data.js';
import { parseHtml } from '../extract/html.js';
import { extractListing } from '../extract/listing.js';
import { extractPosting } from '../extract/posting.js';
import type { DocumentTextExtractor } from '../extract/document-text/extractor.js';
import type { BrowserFetcher } from '../fetch/browser.js';
import { mergeHits, type TermMatcher } from '../terms/matcher.js';
import { normalizeText } from '../terms/normalize.js';
import type { TermHit } from '../terms/types.js';
import type { CaptureInput } from '../store/catalogue.js';
import { sha256Hex } from '../store/blobs.js';
import type { RunContext } from './run-context.js';
import { Rechecks, type ReadAnswer } from './rechecks.js';
import { makeRenderings, type RenderJob } from './renderings.js';
import { clientRedirect } from '../extract/redirect.js';
import { comparableText } from '../detect/trivia.js';
import type { PassProgress } from './progress.js';

export interface SitePassOptions {
  userAgent: string;
  /** report postings without term hits too */
  allPostings: boolean;
  /** list pages per list at most (overrides the site file) */
  maxPages?: number;
  emit: (event: XjEvent) => void;
  progress: PassProgress;
  documents: DocumentTextExtractor;
  /** which known postings to recheck (DESIGN: `all` for crawl, `due` for the daemon) */
  recheck: 'all' | 'due' | 'none' | { urls: string[] };
  confirmAfter: number;
  /** crawl the list pages (off for `xjwatch check`) */
  lists?: boolean;
  /** the run's browser, started the first time a site needs it */
  browser?: BrowserFetcher;
  /** screenshots and PDF prints of new postings with hits, changed and deleted pages (default on) */
  screenshots?: boolean;
  /** also picture these URLs (check --screenshot) */
  screenshotUrls?: string[];
}

export interface SiteOutcome {
  site: string;
  listPages: number;
  listFailures: string[];
  postingsSeen: number;
  newPostings: number;
  reported: number;
  attachments: number;
  failures: { url: string; kind: string; message: string }[];
  problems: { url: string; problem: string }[];
  /** no list page could be fetched: nothing was learnt about the site */
  unreachable: boolean;
  checks: Rechecks['counts'];
  renderings: number;
}

interface ListRoot {
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

interface AttachmentResult {
  url: string;
  name: string;
  capture?: CaptureInput;
  hits: TermHit[];
  error?: string;
}

interface PendingPosting {
  url: string;
  listUrl: string;
  listRoot: string;
  capture: CaptureInput;
  pageHits: TermHit[];
  attachments: { url: string; name: string }[];
  waiting: Set<string>;
}

const DEFAULT_MAX_PAGES = 100;
/** A list page with more posting links than this is hostile or a site map, not a list. */
const MAX_LINKS_PER_LIST_PAGE = 1000;
const HTML_TYPES = /^(text\/html|application\/xhtml\+xml|text\/plain)?$/i;

/**
 * One pass over one site: its list pages (with pagination, guarded against traps), the postings
 * not seen before, and their attachments. A posting is written to the catalogue, with its
 * attachments and its new_posting event, in one transaction once all its parts are in.
 */
export class SitePass {
  private readonly known: Set<string>;
  private readonly knownAttachments: Set<string>;
  private readonly roots = new Map<string, ListRoot>();
  private readonly listRootOf = new Map<string, string>();
  private readonly pending = new Map<string, PendingPosting>();
  private readonly attachmentResults = new Map<string, AttachmentResult>();
  private readonly attachmentWaiters = new Map<string, Set<string>>();
  private readonly savedAttachments = new Set<string>();
  private readonly outcome: SiteOutcome;
  private readonly rechecks: Rechecks;
  private readonly emptyLists: { url: string; at: string }[] = [];
  private readonly renderJobs: RenderJob[] = [];
  /** attachments whose text is being read */
  private readonly reading = new Set<Promise<void>>();
  private readonly trivia: RegExp[];

  constructor(
    private readonly site: Site,
    private readonly ctx: RunContext,
    private readonly matcher: TermMatcher,
    private readonly opts: SitePassOptions,
  ) {
    this.known = ctx.catalogue.knownUrls(site.id, 'posting');
    this.knownAttachments = ctx.catalogue.knownUrls(site.id, 'attachment');
    this.trivia = site.ignore.patterns.map((p) => new RegExp(p, 'g'));
    this.rechecks = new Rechecks(site, ctx, {
      mode: opts.recheck,
      confirmAfter: opts.confirmAfter,
      emit: opts.emit,
      read: (page) => this.readAnswer(page),
      picture: (job) => this.renderJobs.push({ siteId: site.id, ...job }),
      pictureAlways: opts.screenshotUrls,
    });
    this.outcome = {
      site: site.id,
      listPages: 0,
      listFailures: [],
      postingsSeen: 0,
      newPostings: 0,
      reported: 0,
      attachments: 0,
      failures: [],
      problems: [],
      unreachable: false,
      checks: this.rechecks.counts,
      renderings: 0,
    };
  }

  async run(): Promise<SiteOutcome> {
    const site = this.site;
    this.ctx.catalogue.upsertSite(site, this.ctx.runId);
    const lists: PassTask[] =
      this.opts.lists === false
        ? []
        : site.lists.map((spec) => {
            const maxPages = this.opts.maxPages ?? spec.maxPages ?? DEFAULT_MAX_PAGES;
            this.roots.set(spec.url, { url: spec.url, spec, pages: 0, queued: 1, maxPages, seen: new Set() });
            this.listRootOf.set(spec.url, spec.url);
            return this.listTask(spec.url, spec.url, 1, false);
          });
    const rechecks = this.rechecks.tasks();
    this.opts.progress.checksQueued(site.id, rechecks.filter((t) => t.purpose.label === 'check').length);
    // `xjwatch check` on a URL never captured: its first capture
    const mode = this.opts.recheck;
    if (typeof mode === 'object') {
      for (const url of mode.urls) {
        if (this.isKnown(url) || rechecks.some((t) => t.url === url)) continue;
        this.opts.progress.postingQueued(this.site.id);
        rechecks.push({ url, purpose: { siteId: site.id, label: 'posting' }, data: NOT_LISTED });
      }
    }
    // controls first, so that they are made at the time of the checks they vouch for
    const start = [...rechecks.filter((t) => t.purpose.label === 'control'), ...lists, ...rechecks.filter((t) => t.purpose.label !== 'control')];
    const crawl = await crawlSite(start, {
      userAgent: site.userAgent ?? this.opts.userAgent,
      perHost: site.rate.perHost,
      delayMs: site.rate.delayMs,
      timeoutMs: site.timeoutMs,
      maxBodyBytes: Math.round(site.maxBodyMB * 1024 * 1024),
      retries: site.retries.count,
      backoffMs: site.retries.backoffMs,
      breakAfter: site.retries.breakAfter,
      resolve: site.resolve,
      fetchMode: site.fetch,
      browser: this.opts.browser,
      challengeTimeoutMs: site.challengeTimeoutMs,
      sink: this.ctx.recorder.record,
      onPage: (fetched) => {
        const page = passPage(fetched);
        return this.guard(page.task, () => this.onPage(page));
      },
      onFailure: (f) => {
        try {
          this.onFailure(passFailure(f));
        } catch (err) {
          // recording a failure failed (disk full, database busy): say so, and let the crawl go on
          this.problem(f.task.url, `could not record the failure: ${(err as Error).message}`);
        }
      },
    });
    while (this.reading.size) await Promise.all([...this.reading]);
    // Anything still waiting lost its attachments to a failure the crawler did not report.
    for (const p of [...this.pending.values()]) this.finalize(p);
    this.outcome.unreachable = this.outcome.listPages === 0 && this.outcome.listFailures.length > 0;
    const whole = [...this.roots.values()].filter((r) => r.pages > 0 && !r.failed && !r.stopped).map((r) => r.url);
    this.rechecks.finish(site.lists.map((l) => l.url), whole);
    if (this.renderJobs.length && this.opts.browser && this.opts.screenshots !== false && site.screenshots) {
      this.outcome.renderings = await makeRenderings(this.ctx, this.opts.browser, this.renderJobs, crawl.cookies);
    }
    const challenged = this.outcome.failures.filter((f) => f.kind === 'challenge');
    if (this.outcome.unreachable && challenged.length && !this.rechecks.troubled) {
      this.rechecks.reportSiteTrouble('challenge_failed', 'challenge', `no list page got past the site's JavaScript challenge: ${challenged[0]!.message}`);
    }
    if (!this.rechecks.troubled) {
      for (const empty of this.emptyLists) {
        const e = this.ctx.catalogue.transaction(() => this.siteBroken(empty.url, empty.at));
        if (e) this.opts.emit(e);
      }
    }
    return this.outcome;
  }

  /** A bug or a hostile page in one handler must not cost the run: record it and go on. */
  private async guard(task: PassTask, fn: () => Promise<PassTask[]> | PassTask[]): Promise<PassTask[]> {
    try {
      return await fn();
    } catch (err) {
      this.problem(task.url, `could not process ${task.purpose.label}: ${(err as Error).message}`);
      if (task.purpose.label === 'attachment') this.attachmentDone(task.url, { url: task.url, name: attachmentName(task), hits: [], error: (err as Error).message });
      if (task.purpose.label === 'posting') this.opts.progress.postingDone(this.site.id);
      return [];
    }
  }

  private async onPage(page: PassPage): Promise<PassTask[]> {
    switch (page.task.purpose.label) {
      case 'list':
        return this.onList(page);
      case 'posting':
        return this.onPosting(page);
      case 'attachment':
        this.onAttachment(page);
        return [];
      case 'check':
      case 'control':
        if (page.task.purpose.label === 'check') this.opts.progress.checkDone(this.site.id);
        await this.rechecks.onPage(page, this.fetchIdOf(page.chain), this.ctx.recorder.bodySha(page.chain[page.chain.length - 1]!.id));
        return [];
      default:
        return [];
    }
  }

  private onFailure(f: PassFailure): void {
    const { url, purpose } = f.task;
    this.outcome.failures.push({ url, kind: f.kind, message: f.message });
    this.opts.progress.failure(this.site.id);
    if (purpose.label === 'list') {
      this.outcome.listFailures.push(`${url}: ${f.kind} (${f.message})`);
      const root = f.task.data?.kind === 'list' ? this.roots.get(f.task.data.root) : undefined;
      if (root) root.failed = true;
    }
    if (purpose.label === 'check') this.opts.progress.checkDone(this.site.id);
    if (purpose.label === 'check' || purpose.label === 'control') {
      const last = f.chain[f.chain.length - 1];
      this.rechecks.onFailure(f, last ? this.ctx.recorder.fetchId(last.id) : undefined);
    }
    if (purpose.label === 'posting') this.opts.progress.postingDone(this.site.id);
    if (purpose.label === 'attachment') {
      // a body cut at the size limit is still kept, in the WARC and the blob store
      this.attachmentDone(url, { url, name: attachmentName(f.task), hits: [], error: `${f.kind}: ${f.message}` });
    }
  }

  private listTask(url: string, root: string, n: number, generated: boolean): PassTask {
    this.listRootOf.set(url, root);
    // a list page unchanged since the last run can answer 304; its links are read from that capture
    const prev = this.ctx.catalogue.lastListCapture(url);
    const headers: Record<string, string> = {};
    if (prev?.etag) headers['If-None-Match'] = prev.etag;
    if (prev?.last_modified) headers['If-Modified-Since'] = prev.last_modified;
    return { url, purpose: { siteId: this.site.id, label: 'list' }, headers, data: { kind: 'list', root, n, generated } };
  }

  private onList(page: PassPage): PassTask[] {
    const data = page.task.data;
    if (data?.kind !== 'list') throw new Error('internal: a list page without its list');
    const root = this.roots.get(data.root)!;
    root.pages++;
    this.outcome.listPages++;
    this.opts.progress.list(this.site.id);
    const at = page.chain[page.chain.length - 1]!.startedAt.toISOString();
    let body = page.body;
    let contentType = headerString(page.headers['content-type']);
    const prev = page.status === 304 ? this.ctx.catalogue.lastListCapture(page.task.url) : undefined;
    if (prev) {
      body = this.ctx.blobs.get(prev.body_sha256);
      contentType = prev.content_type ?? undefined;
      page = { ...page, status: 200 };
    }
    if (page.status === 404 && data.generated) {
      // a numbered page past the last one: the end of the list, not a failure
      root.pages--;
      this.outcome.listPages--;
      return [];
    }
    if (page.status !== 200) {
      root.failed = true;
      this.outcome.listFailures.push(`${page.task.url}: HTTP ${page.status}`);
      if (root.pages === 1) this.outcome.listPages--;
      return [];
    }
    const decoded = decodeBody(body, contentType, this.site.encoding);
    const $ = parseHtml(decoded.text);
    const listing = extractListing($, page.finalUrl, { links: root.spec.links, follow: this.site.follow, next: root.spec.next });
    if (listing.postings.length > MAX_LINKS_PER_LIST_PAGE) {
      this.problem(page.task.url, `${listing.postings.length} posting links on one list page; only the first ${MAX_LINKS_PER_LIST_PAGE} are followed`);
      listing.postings = listing.postings.slice(0, MAX_LINKS_PER_LIST_PAGE);
    }
    const fresh = listing.postings.filter((l) => !root.seen.has(l.url));
    for (const l of listing.postings) root.seen.add(l.url);
    const problems: string[] = decoded.note ? [`charset: ${decoded.note}`] : [];
    const follow: PassTask[] = [];

    // pagination, guarded: a page that only repeats earlier links is a trap, and maxPages caps it
    if (listing.postings.length > 0 && fresh.length === 0) {
      root.stopped = 'pagination trap: the page only repeats links of earlier pages; pagination stopped here';
      problems.push(root.stopped);
      this.problem(page.task.url, root.stopped);
    } else {
      const next = listing.pages.map((url) => ({ url, generated: false }));
      if (root.spec.pattern && fresh.length > 0) {
        next.push({ url: new URL(root.spec.pattern.replace('{n}', String(root.spec.start + data.n - 1)), root.url).href, generated: true });
      }
      for (const { url, generated } of next) {
        if (this.listRootOf.has(url)) continue;
        if (root.queued >= root.maxPages) {
          if (!root.stopped) {
            root.stopped = `stopped after ${root.maxPages} list pages (maxPages)`;
            this.problem(root.url, root.stopped);
          }
          break;
        }
        root.queued++;
        follow.push(this.listTask(url, root.url, data.n + 1, generated));
      }
    }
    if (listing.postings.length === 0 && !page.rendered && this.site.fetch !== 'http' && this.opts.browser && /fetch\(|XMLHttpRequest|\$\.(ajax|get|post|getJSON)\(|axios\./.test(decoded.text)) {
      // an empty shell that loads its list with a script: read it as a browser renders it
      root.pages--;
      this.outcome.listPages--;
      return [{ ...page.task, render: true }];
    }
    if (listing.postings.length === 0) problems.push('no posting links found on this list page');

    const fetchId = this.fetchIdOf(page.chain);
    const catalogue = this.ctx.catalogue;
    catalogue.transaction(() => {
      if (!prev) catalogue.saveCapture(this.captureInput(page, fetchId, 'list', { charset: decoded.charset, charsetNote: decoded.note, title: undefined, problems }));
      for (const l of listing.postings) {
        if (!this.isKnown(l.url)) continue;
        const p = catalogue.page(l.url);
        if (p) catalogue.recordListing(p.id, root.url, page.finalUrl, this.ctx.runId, at);
      }
    });
    // judged at the end of the pass: an empty list during an outage is the outage, not a new layout
    if (listing.postings.length === 0 && root.url === page.task.url) this.emptyLists.push({ url: page.task.url, at });

    for (const l of listing.postings) {
      this.outcome.postingsSeen++;
      if (this.isKnown(l.url) || this.pending.has(l.url)) continue;
      this.opts.progress.postingQueued(this.site.id);
      follow.push({ url: l.url, purpose: { siteId: this.site.id, label: 'posting', parentUrl: page.finalUrl }, data: { kind: 'posting', listUrl: page.finalUrl, listRoot: root.url, linkText: l.text } });
    }
    return follow;
  }

  /** A list page that used to yield postings and now yields none: reported once until it recovers. */
  private siteBroken(listUrl: string, at: string): XjEvent | undefined {
    const db = this.ctx.db;
    const lastListed = db.prepare(`SELECT max(last_seen_at) AS t FROM listings WHERE list_url = ?`).get(listUrl) as { t: string | null };
    if (!lastListed.t) return undefined;
    const already = db.prepare(`SELECT 1 FROM events WHERE kind = 'site_broken' AND url = ? AND at > ?`).get(listUrl, lastListed.t);
    if (already) return undefined;
    const event: XjEvent = { kind: 'site_broken', site: this.site.id, url: listUrl, reason: `the list page yields no posting links (last yielded some at ${lastListed.t})`, at };
    this.ctx.catalogue.insertEvent({ runId: this.ctx.runId, kind: event.kind, siteId: this.site.id, url: listUrl, at, body: event });
    return event;
  }

  private async onPosting(page: PassPage): Promise<PassTask[]> {
    const url = page.task.url;
    const { listUrl, listRoot, linkText } = postingData(page.task);
    if (page.status < 200 || page.status >= 300) {
      this.problem(url, `listed posting answers HTTP ${page.status}; not captured as a posting`);
      this.opts.progress.postingDone(this.site.id);
      return [];
    }
    const fetchId = this.fetchIdOf(page.chain);
    const contentType = headerString(page.headers['content-type']);
    const mime = (contentType ?? '').split(';')[0]!.trim();
    if (page.truncated) this.problem(url, `too large: the body was cut at ${Math.round(this.site.maxBodyMB)} MiB; only that part is kept and read`);
    let capture: CaptureInput;
    let pageHits: TermHit[] = [];
    let attachments: { url: string; name: string }[] = [];
    if (HTML_TYPES.test(mime) || looksLikeHtml(page.body)) {
      const read = this.readHtml(page, fetchId, contentType);
      for (const p of read.capture.problems) this.problem(url, p);
      capture = read.capture;
      pageHits = read.hits;
      attachments = read.attachments;
    } else {
      // a list that links straight to a document: the document is the posting
      const title = linkText;
      const doc = await this.documentText(page, title, contentType);
      pageHits = this.matcher.matchNormalized(`${normalizeText(title)}\n${doc.searchText ?? ''}`);
      capture = this.captureInput(page, fetchId, 'posting', { title, ...doc, hits: pageHits });
    }
    this.rechecks.noteLive(url);
    const pending: PendingPosting = { url, listUrl, listRoot, capture, pageHits, attachments, waiting: new Set() };
    this.pending.set(url, pending);
    const tasks: PassTask[] = [];
    for (const a of attachments) {
      const done = this.attachmentResults.get(a.url);
      if (done || this.isKnownAttachment(a.url)) continue;
      pending.waiting.add(a.url);
      const waiters = this.attachmentWaiters.get(a.url);
      if (waiters) {
        waiters.add(url);
        continue;
      }
      this.attachmentWaiters.set(a.url, new Set([url]));
      this.opts.progress.attachmentQueued(this.site.id);
      tasks.push({
        url: a.url,
        purpose: { siteId: this.site.id, label: 'attachment', parentUrl: url },
        // VSB's download.jsp answers an error page to requests without the posting as Referer
        headers: { Referer: page.finalUrl },
        data: { kind: 'attachment', name: a.name },
        maxBodyBytes: Math.round(this.site.maxAttachmentMB * 1024 * 1024),
      });
    }
    if (pending.waiting.size === 0) this.finalize(pending);
    return tasks;
  }

  /** Reads a posting page: decode, leave out the site's ignored parts, extract, match terms. */
  private readHtml(page: PassPage, fetchId: number, contentType: string | undefined): ReadAnswer & { attachments: { url: string; name: string }[] } {
    const decoded = decodeBody(page.body, contentType, this.site.encoding);
    const $ = parseHtml(decoded.text);
    for (const sel of this.site.ignore.selectors) $(sel).remove();
    const ex = extractPosting($, page.finalUrl, this.site.article, this.site.name);
    const title = ex.title || postingData(page.task).linkText;
    const normBody = normalizeText(ex.text);
    const hits = this.matcher.matchNormalized(`${normalizeText(title)}\n${normBody}`);
    const problems = [...ex.problems, ...(decoded.note ? [`charset: ${decoded.note}`] : [])];
    const text = `${title}\n\n${ex.text}`;
    const capture = this.captureInput(page, fetchId, 'posting', {
      charset: decoded.charset,
      charsetNote: decoded.note,
      title,
      published: ex.published,
      dateSource: ex.dateSource,
      text,
      textSha256: sha256Hex(text),
      compareSha256: sha256Hex(comparableText(text, this.trivia)),
      searchText: normBody,
      problems,
      hits,
    });
    return { capture, hits, title, text: ex.text, clientRedirect: clientRedirect($, page.finalUrl, ex.text), attachments: ex.attachments.map((a) => ({ url: a.url, name: a.name })) };
  }

  /** A recheck's or control's live answer, read like a new posting. */
  private async readAnswer(page: PassPage): Promise<ReadAnswer | undefined> {
    const contentType = headerString(page.headers['content-type']);
    const mime = (contentType ?? '').split(';')[0]!.trim();
    const fetchId = this.fetchIdOf(page.chain);
    if (HTML_TYPES.test(mime) || looksLikeHtml(page.body)) return this.readHtml(page, fetchId, contentType);
    const doc = await this.documentText(page, page.finalUrl, contentType);
    const hits = this.matcher.matchNormalized(doc.searchText ?? '');
    const capture = this.captureInput(page, fetchId, 'posting', { ...doc, compareSha256: doc.text ? sha256Hex(comparableText(doc.text, this.trivia)) : undefined, hits });
    return { capture, hits, title: '', text: doc.text ?? '' };
  }

  /** Text of a document (PDF, Word, Excel), kept with the capture and normalised for search and terms. */
  private async documentText(page: PassPage, name: string, contentType: string | undefined): Promise<{ text?: string; textSha256?: string; searchText?: string; problems: string[] }> {
    const doc = await this.opts.documents.extract(page.body, name || page.finalUrl, contentType);
    const problems = doc.problem && doc.kind !== 'unknown' ? [doc.problem] : [];
    for (const p of problems) this.problem(page.task.url, p);
    if (!doc.text.trim()) return { problems };
    return { text: doc.text, textSha256: sha256Hex(doc.text), searchText: normalizeText(doc.text), problems };
  }

  /**
   * An attachment's text is read off the crawl's path: the reader works while the crawler fetches
   * on, and the posting is finished when the text is in (the pass waits for all before it ends).
   */
  private onAttachment(page: PassPage): void {
    const work = this.readAttachment(page).catch((err: Error) => {
      this.problem(page.task.url, `could not process attachment: ${err.message}`);
      try {
        if (!this.attachmentResults.has(page.task.url)) this.attachmentDone(page.task.url, { url: page.task.url, name: attachmentName(page.task), hits: [], error: err.message });
      } catch (again) {
        this.problem(page.task.url, `could not record the attachment's posting: ${(again as Error).message}`);
      }
    });
    this.reading.add(work);
    void work.finally(() => this.reading.delete(work));
  }

  private async readAttachment(page: PassPage): Promise<void> {
    const url = page.task.url;
    const name = attachmentName(page.task);
    if (page.status < 200 || page.status >= 300) {
      this.attachmentDone(url, { url, name, hits: [], error: `HTTP ${page.status}` });
      return;
    }
    const fetchId = this.fetchIdOf(page.chain);
    const contentType = headerString(page.headers['content-type']);
    const problems: string[] = [];
    if (/\.(pdf|docx?|xlsx?|wps|et|ofd)$/i.test(name) && looksLikeHtml(page.body)) {
      problems.push('served an HTML page where a file was linked (a dead or guarded download)');
    }
    for (const p of problems) this.problem(url, p);
    const doc = problems.length ? { problems: [] } : await this.documentText(page, name, contentType);
    const hits = doc.searchText ? this.matcher.matchNormalized(doc.searchText, `attachment: ${name}`) : [];
    const capture = this.captureInput(page, fetchId, 'attachment', { title: name, contentType, ...doc, problems: [...problems, ...doc.problems], hits });
    capture.parentUrl = String(page.task.purpose.parentUrl ?? '');
    this.attachmentDone(url, { url, name, capture, hits, ...(problems.length ? { error: problems[0] } : {}) });
  }

  private attachmentDone(url: string, result: AttachmentResult): void {
    this.attachmentResults.set(url, result);
    this.opts.progress.attachmentDone(this.site.id);
    this.outcome.attachments++;
    for (const postingUrl of this.attachmentWaiters.get(url) ?? []) {
      const p = this.pending.get(postingUrl);
      if (!p) continue;
      p.waiting.delete(url);
      if (p.waiting.size === 0) this.finalize(p);
    }
    this.attachmentWaiters.delete(url);
  }

  /** Writes a posting, its attachments, its listing and its event in one transaction. */
  private finalize(p: PendingPosting): void {
    this.pending.delete(p.url);
    this.opts.progress.postingDone(this.site.id);
    // an attachment captured in an earlier run (shared with another posting) brings its terms along
    const results = p.attachments.map(
      (a) =>
        this.attachmentResults.get(a.url) ??
        (this.isKnownAttachment(a.url)
          ? { url: a.url, name: a.name, hits: this.ctx.catalogue.lastHits(a.url).map((h) => ({ ...h, source: `attachment: ${a.name}` })) }
          : { url: a.url, name: a.name, hits: [], error: 'not fetched' }),
    );
    const hits = mergeHits([p.pageHits, ...results.map((r) => r.hits)], this.matcher.terms);
    const catalogue = this.ctx.catalogue;
    let savedIds = { pageId: 0, captureId: 0 };
    const event = catalogue.transaction(() => {
      const saved = catalogue.saveCapture({ ...p.capture, hits });
      savedIds = saved;
      for (const r of results) {
        if (r.capture && !this.savedAttachments.has(r.url)) {
          catalogue.saveCapture({ ...r.capture, parentUrl: p.url });
          this.savedAttachments.add(r.url);
        }
        catalogue.linkAttachment(saved.pageId, r.url, r.name);
      }
      if (p.listRoot) catalogue.recordListing(saved.pageId, p.listRoot, p.listUrl, this.ctx.runId, p.capture.at);
      const attachments: AttachmentSummary[] = results.map((r) => ({
        url: r.url,
        name: r.name,
        ...(r.capture ? { capture: `sha256:${r.capture.bodySha256}` } : {}),
        ...(r.error ? { error: r.error } : {}),
      }));
      const ev = newPostingEvent(
        { site: this.site.id, url: p.url, title: p.capture.title ?? '', published: p.capture.published, bodySha256: p.capture.bodySha256, hits, attachments, at: p.capture.at },
        saved.created,
        this.opts.allPostings,
      );
      if (ev) catalogue.insertEvent({ runId: this.ctx.runId, kind: ev.kind, siteId: this.site.id, pageId: saved.pageId, url: p.url, at: ev.at, captureId: saved.captureId, body: ev });
      return saved.created ? ev ?? null : undefined;
    });
    this.known.add(p.url);
    if (event !== undefined) this.outcome.newPostings++;
    if (event) {
      this.outcome.reported++;
      this.opts.emit(event);
      if (event.kind === 'new_posting' && event.terms.length) this.renderJobs.push({ siteId: this.site.id, pageId: savedIds.pageId, captureId: savedIds.captureId, url: p.url, what: 'capture' });
    }
  }

  private captureInput(
    page: PassPage,
    fetchId: number,
    kind: CaptureInput['kind'],
    extra: Partial<CaptureInput> & { problems: string[] },
  ): CaptureInput {
    const last = page.chain[page.chain.length - 1]!;
    return {
      url: page.task.url,
      siteId: this.site.id,
      kind,
      fetchId,
      runId: this.ctx.runId,
      at: last.startedAt.toISOString(),
      finalUrl: page.finalUrl,
      status: page.status,
      bodySha256: this.bodyShaOf(last),
      bodySize: page.body.length,
      contentType: headerString(page.headers['content-type']),
      etag: headerString(page.headers.etag),
      lastModified: headerString(page.headers['last-modified']),
      hits: [],
      ...extra,
    };
  }

  private bodyShaOf(ex: Exchange): string {
    const sha = this.ctx.recorder.bodySha(ex.id);
    if (!sha) throw new Error('internal: a response reached the handler without its body being kept');
    return sha;
  }

  private fetchIdOf(chain: Exchange[]): number {
    const last = chain[chain.length - 1];
    const id = last ? this.ctx.recorder.fetchId(last.id) : undefined;
    if (id === undefined) throw new Error('internal: a response reached the handler without being recorded');
    return id;
  }

  /** Known anywhere in the catalogue: a URL may have been captured under another site id before. */
  private isKnown(url: string): boolean {
    if (this.known.has(url)) return true;
    const p = this.ctx.catalogue.page(url);
    if (p && p.kind !== 'list') this.known.add(url);
    return Boolean(p && p.kind !== 'list');
  }

  private isKnownAttachment(url: string): boolean {
    if (this.knownAttachments.has(url)) return true;
    const p = this.ctx.catalogue.page(url);
    if (p?.last_capture_id) this.knownAttachments.add(url);
    return Boolean(p?.last_capture_id);
  }

  private problem(url: string, problem: string): void {
    this.outcome.problems.push({ url, problem });
  }
}

function headerString(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function looksLikeHtml(body: Buffer): boolean {
  const head = body.subarray(0, 512).toString('latin1').trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<head') || head.startsWith('<meta') || /^<(body|div|script|title)\b/.test(head);
}
