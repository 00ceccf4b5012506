import { DEFAULT_REVISIT, type OperatorSettings, type RevisitPolicy } from '../config/settings.js';
import type { SiteCode } from '../config/site-code.js';
import type { Site } from '../config/site-file.js';
import type { XjEvent } from '../detect/events.js';
import { newPostingEvent } from '../detect/new-posting.js';
import { selectorBroken, siteBroken } from '../detect/site-broken.js';
import { crawlSite, type SiteCrawlOptions } from '../fetch/site-crawler.js';
import type { DocumentTextExtractor } from '../extract/document-text/extractor.js';
import type { BrowserFetcher } from '../fetch/browser.js';
import { HostGate } from '../fetch/host-gate.js';
import { listHistory } from '../store/listing-reads.js';
import { mergeHits, type TermMatcher } from '../terms/matcher.js';
import { attachmentSummary, Attachments, type AttachmentResult, type PendingPosting } from './attachments.js';
import { KnownUrls } from './known-urls.js';
import { ListWalk } from './list-walk.js';
import { classify } from '../detect/classify.js';
import { checkSiteProblems } from './operator-site.js';
import { PriorCaptures, type PriorOptions } from './prior.js';
import { PageReader, type Link } from './page-reader.js';
import type { PassProgress } from './progress.js';
import { Rechecks } from './rechecks.js';
import { makeRenderings, type RenderJob } from './renderings.js';
import { recordRequisites } from './requisites.js';
import type { RunContext } from './run-context.js';
import { siteFetchOptions } from './site-fetch.js';
import { emptyOutcome, type SiteOutcome } from './site-outcome.js';
import { attachmentName, NOT_LISTED, passFailure, passPage, postingData, type PassFailure, type PassPage, type PassTask } from './task-data.js';

export type { SiteOutcome } from './site-outcome.js';

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
  /** which known postings are due (`recheck: 'due'`; default: settings' defaults) */
  revisit?: RevisitPolicy;
  hostGate?: HostGate;
  confirmAfter: number;
  /** crawl the list pages (off for `xjwatch check`) */
  lists?: boolean;
  /** the run's browser, started the first time a site needs it */
  browser?: BrowserFetcher;
  /** screenshots and PDF prints of new postings with hits, changed and deleted pages (default on) */
  screenshots?: boolean;
  /** also picture these URLs (check --screenshot) */
  screenshotUrls?: string[];
  /** judge the operator's problems of the site after the pass (crawl and watch; not `check`) */
  operator?: OperatorSettings;
  /** ask an archive for a prior capture of a page first fetched already gone (settings `prior:`; off by default) */
  prior?: PriorOptions;
  /** the site's own code (its file's `code:`), loaded */
  code?: SiteCode;
}

/**
 * One pass over one site: its list pages (with pagination, guarded against traps), the postings
 * not seen before, and their attachments. A posting is written to the catalogue, with its
 * attachments and its new_posting event, in one transaction once all its parts are in.
 */
export class SitePass {
  private readonly known: KnownUrls;
  private readonly reader: PageReader;
  private readonly lists: ListWalk;
  private readonly attachments: Attachments;
  private readonly outcome: SiteOutcome;
  private readonly rechecks: Rechecks;
  private readonly renderJobs: RenderJob[] = [];
  private gate: HostGate | undefined;
  /** pages asked for by URL (pinned, `check`) never captured, whose first answer says they are gone */
  private readonly goneAtFirst = new Set<string>();

  constructor(
    private readonly site: Site,
    private readonly ctx: RunContext,
    private readonly matcher: TermMatcher,
    private readonly opts: SitePassOptions,
  ) {
    this.known = new KnownUrls(ctx.catalogue, site.id);
    const problem = (url: string, p: string) => this.problem(url, p);
    this.reader = new PageReader(site, ctx, matcher, opts.documents, problem, opts.code);
    this.rechecks = new Rechecks(site, ctx, {
      mode: opts.recheck,
      revisit: opts.revisit ?? DEFAULT_REVISIT,
      confirmAfter: opts.confirmAfter,
      emit: opts.emit,
      read: (page) => this.reader.readAnswer(page),
      readAttachment: (page, name) => this.reader.readAttachmentAnswer(page, name),
      newFiles: { fetch: (url, links, referer) => this.attachments.fetchAlso(url, links, referer), keep: (id, url, links) => this.keepFiles(id, url, links) },
      picture: (job) => this.renderJobs.push({ siteId: site.id, ...job }),
      pictureAlways: opts.screenshotUrls,
    });
    this.outcome = emptyOutcome(site.id, this.rechecks.counts);
    // the run's summary (runs.summary) says which proxy this site's fetches went through
    if (site.proxy) this.outcome.proxy = site.proxy.shown;
    const { progress } = opts;
    this.attachments = new Attachments({ site, ctx, reader: this.reader, matcher, progress, known: this.known, problem, counted: () => this.outcome.attachments++, ready: (p) => this.finalize(p) });
    this.lists = new ListWalk({ site, ctx, reader: this.reader, known: this.known, progress, counts: this.outcome, maxPages: opts.maxPages, browser: Boolean(opts.browser), problem, isPending: (url) => this.attachments.isPending(url), code: opts.code });
  }

  async run(): Promise<SiteOutcome> {
    const site = this.site;
    this.ctx.catalogue.upsertSite(site, this.ctx.runId);
    this.ctx.catalogue.markPinned(site.id, site.pinned);
    const lists = this.opts.lists === false ? [] : this.lists.start();
    const rechecks = this.rechecks.tasks();
    this.opts.progress.checksQueued(site.id, rechecks.filter((t) => t.purpose.label === 'check').length);
    // `xjwatch check` on a URL never captured, or a pinned page never captured: its first capture
    const mode = this.opts.recheck;
    for (const url of typeof mode === 'object' ? mode.urls : site.pinned) {
      if (this.known.posting(url) || rechecks.some((t) => t.url === url)) continue;
      this.opts.progress.postingQueued(this.site.id);
      rechecks.push({ url, purpose: { siteId: site.id, label: 'posting' }, data: NOT_LISTED });
    }
    // checks and their controls are known URLs: no discovery queue. Controls come first, so that
    // they are made at the time of the checks they vouch for.
    const isKnown = (t: PassTask) => t.purpose.label === 'check' || t.purpose.label === 'control';
    const known = [...rechecks.filter((t) => t.purpose.label === 'control'), ...rechecks.filter((t) => t.purpose.label === 'check')];
    const crawl = await crawlSite([...lists, ...rechecks.filter((t) => !isKnown(t))].map(this.sent), this.crawlOptions(), known.map(this.sent));
    // the data directory failed a write: nothing more is read, written or pictured
    this.ctx.throwIfHalted();
    await this.attachments.settle();
    // Anything still waiting lost its attachments to a failure the crawler did not report.
    for (const p of this.attachments.leftovers()) this.finalize(p);
    if (this.opts.prior && !this.ctx.interrupted) await this.priorCaptures(this.opts.prior);
    this.outcome.unreachable = this.outcome.listPages === 0 && this.outcome.listFailures.length > 0;
    // a pass stopped early (a watcher's SIGTERM) judges only what it fetched: checks not made are
    // not failures, lists not walked to the end delist nothing, and pictures wait for the next run
    const stopped = this.ctx.interrupted;
    if (stopped) this.rechecks.forgetUnanswered();
    this.rechecks.finish(site.lists.map((l) => l.url), stopped ? [] : this.lists.wholeLists());
    if (!stopped && this.renderJobs.length && this.opts.browser && this.opts.screenshots !== false && site.screenshots) {
      this.outcome.requisites = await recordRequisites(site, this.ctx, this.renderJobs, { ...this.crawlOptions(), cookies: crawl.jar });
      this.outcome.renderings = await makeRenderings(this.ctx, this.opts.browser, this.renderJobs, crawl.cookies);
    }
    const challenged = this.outcome.failures.filter((f) => f.kind === 'challenge');
    if (this.outcome.unreachable && challenged.length && !this.rechecks.troubled) {
      this.rechecks.reportSiteTrouble('challenge_failed', 'challenge', `no list page got past the site's JavaScript challenge: ${challenged[0]!.message}`);
    }
    // pinned pages captured for the first time in this run are pinned from now on
    if (site.pinned.length) this.ctx.catalogue.markPinned(site.id, site.pinned);
    if (!this.rechecks.troubled && !stopped) {
      for (const empty of this.lists.emptyLists) {
        const e = this.ctx.catalogue.transaction(() => this.reportBroken(empty.url, empty.at));
        if (e) this.opts.emit(e);
      }
      for (const f of this.lists.fallbackLists) {
        const e = this.ctx.catalogue.transaction(() => this.reportBroken(f.url, f.at, f));
        if (e) this.opts.emit(e);
      }
    }
    // a pass that walked the site's lists says how it fared as a whole; one stopped early, or over
    // an ad hoc URL (not the site's lists), says nothing
    if (this.opts.lists !== false && !stopped && !site.source.startsWith('adhoc')) {
      this.outcome.trouble = this.rechecks.trouble ?? (this.outcome.unreachable ? { kind: 'unreachable', detail: `no list page could be fetched: ${this.outcome.listFailures[0] ?? ''}` } : null);
    }
    if (this.opts.operator) {
      for (const e of checkSiteProblems(this.ctx, site, { trouble: this.outcome.trouble, emptyLists: [...this.lists.emptyLists, ...this.lists.fallbackLists], yieldedLists: this.lists.yieldedLists }, this.opts.operator)) this.opts.emit(e);
    }
    return this.outcome;
  }

  private crawlOptions(): SiteCrawlOptions {
    const site = this.site;
    return {
      ...siteFetchOptions(site, this.opts.userAgent),
      browser: this.opts.browser,
      sink: this.ctx.recorder.record,
      stop: this.ctx.signal,
      // one gate for the site's crawls in this pass (its pages, then its pictures' requisites), so
      // that the second does not start sooner after the first's last request than the site allows
      hostGate: (this.gate ??= this.opts.hostGate ?? new HostGate(site.rate.perHost, site.rate.delayMs)),
      onPage: (fetched) => {
        const page = passPage(fetched);
        return this.guard(page.task, () => this.onPage(page)).then((follow) => follow.map(this.sent));
      },
      onFailure: (f) => {
        try {
          this.onFailure(passFailure(f));
        } catch (err) {
          // recording a failure failed (disk full, database busy): say so, and let the crawl go on
          this.problem(f.task.url, `could not record the failure: ${(err as Error).message}`);
        }
      },
    };
  }

  /** A task as the site's code has it sent (a JSON API asked for the page its URL names). */
  private readonly sent = (t: PassTask): PassTask => {
    const request = this.opts.code?.request?.(t.url, new Date());
    return request ? { ...t, request } : t;
  };

  /** A bug or a hostile page in one handler must not cost the run: record it and go on. */
  private async guard(task: PassTask, fn: () => Promise<PassTask[]> | PassTask[]): Promise<PassTask[]> {
    try {
      return await fn();
    } catch (err) {
      this.problem(task.url, `could not process ${task.purpose.label}: ${(err as Error).message}`);
      if (task.purpose.label === 'attachment') this.attachments.done(task.url, { url: task.url, name: attachmentName(task), hits: [], error: (err as Error).message });
      if (task.purpose.label === 'posting') this.opts.progress.postingDone(this.site.id);
      return [];
    }
  }

  private async onPage(page: PassPage): Promise<PassTask[]> {
    switch (page.task.purpose.label) {
      case 'list':
        return this.lists.onList(page);
      case 'posting':
        return this.onPosting(page);
      case 'attachment':
        this.attachments.onAttachment(page);
        return [];
      case 'check':
      case 'control':
        if (page.task.purpose.label === 'check') this.opts.progress.checkDone(this.site.id);
        return this.rechecks.onPage(page, page.chain[page.chain.length - 1]!.id, this.ctx.recorder.bodySha(page.chain[page.chain.length - 1]!.id));
      default:
        return [];
    }
  }

  private onFailure(f: PassFailure): void {
    const { url, purpose } = f.task;
    this.outcome.failures.push({ url, kind: f.kind, message: f.message });
    this.opts.progress.failure(this.site.id);
    if (purpose.label === 'list') this.lists.onFailure(f);
    if (purpose.label === 'check') this.opts.progress.checkDone(this.site.id);
    if (purpose.label === 'check' || purpose.label === 'control') {
      const last = f.chain[f.chain.length - 1];
      this.rechecks.onFailure(f, last?.id);
    }
    if (purpose.label === 'posting') {
      this.opts.progress.postingDone(this.site.id);
      if (this.askedByUrl(f.task) && classify({ errorKind: f.kind, errorMessage: f.message, finalUrl: f.chain.at(-1)?.location }, this.controlsNow(), url).kind === 'gone') this.goneAtFirst.add(url);
    }
    if (purpose.label === 'attachment') {
      // a body cut at the size limit is still kept, in the WARC and the blob store
      this.attachments.done(url, { url, name: attachmentName(f.task), hits: [], error: `${f.kind}: ${f.message}` });
    }
  }

  /** An empty first list page (or one read by the fallback), judged now that the pass knows the site was not simply down. */
  private reportBroken(listUrl: string, at: string, fallback?: { links: string; found: number }): XjEvent | undefined {
    const history = listHistory(this.ctx.db, listUrl);
    const event = fallback ? selectorBroken(this.site.id, listUrl, history, fallback, at) : siteBroken(this.site.id, listUrl, history, at);
    if (event) this.ctx.catalogue.insertEvent({ runId: this.ctx.runId, kind: event.kind, siteId: this.site.id, url: listUrl, at, body: event });
    return event;
  }

  private async onPosting(page: PassPage): Promise<PassTask[]> {
    const url = page.task.url;
    const { listUrl, listRoot } = postingData(page.task);
    if (page.status < 200 || page.status >= 300) {
      this.problem(url, `listed posting answers HTTP ${page.status}; not captured as a posting`);
      if (this.askedByUrl(page.task) && classify({ status: page.status, finalUrl: page.finalUrl }, this.controlsNow(), url).kind === 'gone') this.goneAtFirst.add(url);
      this.opts.progress.postingDone(this.site.id);
      return [];
    }
    const read = await this.reader.readPosting(page);
    if (read.notFound !== undefined) {
      // an API's "no such item" (HTTP 200) is never content: nothing is captured
      if (this.askedByUrl(page.task)) this.goneAtFirst.add(url);
      this.opts.progress.postingDone(this.site.id);
      return [];
    }
    if (this.askedByUrl(page.task)) {
      // a page asked for by URL that is already gone (sent home, or the site's "not found" page)
      // is not captured as the posting it was
      const v = classify({ status: page.status, finalUrl: page.finalUrl, redirected: page.chain.length > 1, clientRedirect: read.clientRedirect, title: read.title, text: read.text }, this.controlsNow(), url);
      if (v.kind === 'gone') {
        this.problem(url, `first fetch finds it gone (${v.reason}: ${v.detail}); not captured as a posting`);
        this.goneAtFirst.add(url);
        this.opts.progress.postingDone(this.site.id);
        return [];
      }
    }
    this.rechecks.noteLive(url);
    const pending: PendingPosting = { url, listUrl, listRoot, capture: read.capture, pageHits: read.hits, attachments: read.attachments, waiting: new Set() };
    return this.attachments.hold(pending, page.finalUrl);
  }

  /** A posting task for a URL named (pinned, `check`) rather than found on a list. */
  private askedByUrl(task: PassTask): boolean {
    return postingData(task).listUrl === '' && !this.known.posting(task.url);
  }

  private controlsNow(): { homeUrls: string[] } {
    return { homeUrls: [this.site.home, ...this.site.lists.map((l) => l.url)] };
  }

  /**
   * Pages gone at their first fetch, never captured live: the archive's earliest good copy, kept
   * as a third-party capture. One at a time (the archive is one host); its troubles are notes.
   */
  private async priorCaptures(prior: PriorOptions): Promise<void> {
    const lookup = new PriorCaptures(this.site, this.ctx, this.reader, prior, this.site.userAgent ?? this.opts.userAgent);
    for (const url of this.goneAtFirst) {
      if (this.ctx.interrupted) return;
      const r = await lookup.fetch(url);
      if ('problem' in r) {
        this.problem(url, `prior capture: ${r.problem}`);
        continue;
      }
      this.known.captured(url);
      this.outcome.priorCaptures.push({ url, archivedAt: r.archivedAt, archiveUrl: r.archiveUrl });
    }
  }

  /** A changed posting's new files as the pass got them: kept and linked to it, in its check's transaction. */
  private keepFiles(postingId: number, postingUrl: string, links: Link[]): AttachmentResult[] {
    const results = this.attachments.outcomes(links);
    const at = new Date().toISOString();
    for (const r of results) this.keepFile(postingId, postingUrl, r, at);
    return results;
  }

  /**
   * One file of a posting as it came out: its capture saved once in the pass however many postings
   * link it, linked to this one; a file not fetched is noted, to be tried again with the posting's
   * checks, and forgotten once captured.
   */
  private keepFile(postingId: number, postingUrl: string, r: AttachmentResult, at: string): void {
    const catalogue = this.ctx.catalogue;
    if (r.capture && !this.attachments.saved.has(r.url)) {
      catalogue.saveCapture({ ...r.capture, parentUrl: postingUrl });
      this.attachments.saved.add(r.url);
    }
    catalogue.linkAttachment(postingId, r.url, r.name);
    if (r.capture || r.known) catalogue.clearAttachmentFailure(r.url);
    else catalogue.noteAttachmentFailure(postingId, r.url, r.name, at, r.error);
  }

  /** Writes a posting, its attachments, its listing and its event in one transaction. */
  private finalize(p: PendingPosting): void {
    this.opts.progress.postingDone(this.site.id);
    const results = this.attachments.release(p);
    const hits = mergeHits([p.pageHits, ...results.map((r) => r.hits)], this.matcher.terms);
    const catalogue = this.ctx.catalogue;
    let savedIds = { pageId: 0, captureId: 0 };
    const event = catalogue.transaction(() => {
      const saved = catalogue.saveCapture({ ...p.capture, hits });
      savedIds = saved;
      for (const r of results) this.keepFile(saved.pageId, p.url, r, p.capture.at);
      if (p.listRoot) catalogue.recordListing(saved.pageId, p.listRoot, p.listUrl, this.ctx.runId, p.capture.at);
      const attachments = results.map(attachmentSummary);
      const ev = newPostingEvent(
        { site: this.site.id, url: p.url, title: p.capture.title ?? '', published: p.capture.published, bodySha256: p.capture.bodySha256, hits, attachments, at: p.capture.at },
        saved.created,
        this.opts.allPostings,
      );
      if (ev) catalogue.insertEvent({ runId: this.ctx.runId, kind: ev.kind, siteId: this.site.id, pageId: saved.pageId, url: p.url, at: ev.at, captureId: saved.captureId, body: ev });
      return saved.created ? ev ?? null : undefined;
    });
    this.known.captured(p.url);
    if (event !== undefined) this.outcome.newPostings++;
    if (event) {
      this.outcome.reported++;
      this.opts.emit(event);
      if (event.kind === 'new_posting' && event.terms.length) this.renderJobs.push({ siteId: this.site.id, pageId: savedIds.pageId, captureId: savedIds.captureId, url: p.url, what: 'capture' });
    }
  }

  private problem(url: string, problem: string): void {
    this.outcome.problems.push({ url, problem });
  }
}
