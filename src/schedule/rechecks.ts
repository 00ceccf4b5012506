import type { Site } from '../config/site-file.js';
import { classify, type Answer, type SiteControls, type Verdict } from '../detect/classify.js';
import { changedEvent, happeningEvent } from '../detect/check-events.js';
import type { AttachmentRef, ControlsSummary, XjEvent } from '../detect/events.js';
import { step, type PageWatch } from '../detect/lifecycle.js';
import { siteTrouble } from '../detect/site-trouble.js';
import type { CaptureInput } from '../store/catalogue.js';
import type { CaptureRecord } from '../store/rows.js';
import { WatchStore, type CaptureHead, type WatchedPage } from '../store/watch-store.js';
import { mergeHits } from '../terms/matcher.js';
import type { TermHit } from '../terms/types.js';
import type { RevisitPolicy } from '../config/settings.js';
import { isDue } from './revisit.js';
import { askPictures } from './renderings.js';
import type { RunContext } from './run-context.js';
import type { ControlRole, PassFailure, PassPage, PassTask } from './task-data.js';
import { describeAnswer, madeUpUrl } from './controls.js';
import { reportDelistings, reportSite, type SiteReports } from './site-reports.js';
import { attachmentVerdict, carriedHits, filesOf, retriedFilesEvent, sheetsOf, type AttachmentAnswer } from './attachment-checks.js';
import { attachmentSummary, type AttachmentResult } from './attachments.js';
import type { Link } from './page-reader.js';

/** What a page handler read from a live answer, for a check. */
export interface ReadAnswer {
  capture: CaptureInput;
  hits: TermHit[];
  title: string;
  text: string;
  clientRedirect?: string;
  challenge?: boolean;
  /** the site's code read the answer as its API's "no such item" (config/site-code.ts) */
  notFound?: string;
  /** the files the page links */
  attachments?: Link[];
}

export interface RecheckOptions {
  /** which known postings to check: all, the due ones, none, or these URLs */
  mode: 'all' | 'due' | 'none' | { urls: string[] };
  /** which known postings are due (mode `due`) */
  revisit: RevisitPolicy;
  confirmAfter: number;
  emit: (e: XjEvent) => void;
  /** reads a live answer (decode, extract, terms) the way new postings are read */
  read: (page: PassPage) => Promise<ReadAnswer | undefined>;
  /** reads a known attachment's live answer the way it was first read */
  readAttachment: (page: PassPage, name: string) => Promise<AttachmentAnswer>;
  /** a known posting's links to files never captured: fetched in the pass, kept if it changed */
  newFiles?: {
    fetch: (postingUrl: string, links: Link[], referer: string) => PassTask[];
    /** inside the check's transaction: saves and links them, and says what came of each */
    keep: (postingId: number, postingUrl: string, links: Link[]) => AttachmentResult[];
  };
  /** asks for a screenshot and PDF print of a page's capture or present answer */
  picture?: (job: { pageId: number; url: string; what: 'capture' | 'present'; captureId?: number }) => void;
  /** picture these pages' present answer and last capture whatever happens (check --screenshot) */
  pictureAlways?: string[];
}

interface CheckState {
  page: WatchedPage;
  /** set for a posting's attachment: its link's name and the posting */
  attachment?: { name: string; posting: WatchedPage };
  /** its last capture without the text (read only for a page whose answer is read again) */
  last?: CaptureHead;
  /** the same with its text, when it was read */
  full?: CaptureRecord;
  answer?: Answer;
  read?: ReadAnswer | AttachmentAnswer;
  /** files the answer links that the posting had not linked before */
  links?: Link[];
  /** files of the posting that could not be fetched before, tried again in this pass */
  retries?: Link[];
  /** the recorded exchange of the answer (its fetch row's id is asked for when the check is written) */
  exchange?: string;
  at?: string;
  status?: number;
}

/** What one check wrote: told once its batch is committed. */
interface Decided {
  url: string;
  pageId: number;
  events: XjEvent[];
  attachment: boolean;
}

/** Enough to amortise a commit, few enough that a batch's events are not held back long. */
const CHECKS_PER_TRANSACTION = 200;

interface ControlState {
  url: string;
  answer?: Answer;
  exchange?: string;
}

/**
 * Rechecks of the known postings of one site in one pass, and the controls made with them: the
 * home page, a made-up URL shaped like the site's postings (the site's own "not found"), and a
 * live sibling. Verdicts are decided only once everything is in, because they depend on the
 * controls and on how the site's pages fared together.
 */
export class Rechecks {
  private readonly store: WatchStore;
  private readonly reports: SiteReports;
  private readonly checks = new Map<string, CheckState>();
  private readonly controls = new Map<ControlRole, ControlState>();
  /** postings that answered normally this run (new ones included): the live siblings */
  private readonly live = new Set<string>();
  /** checks of postings; `attachments` counts those of attachments, which the others include */
  readonly counts = { checked: 0, unchanged: 0, changed: 0, trivial: 0, gone: 0, unreachable: 0, attachments: 0 };
  /** the site as a whole was in trouble in this pass (known after finish) */
  troubled = false;
  /** which trouble, for the run's summary (operator checks count runs in trouble) */
  trouble: { kind: string; detail: string } | undefined;

  constructor(
    private readonly site: Site,
    private readonly ctx: RunContext,
    private readonly opts: RecheckOptions,
  ) {
    this.store = new WatchStore(ctx.db);
    this.reports = { site, ctx, store: this.store, emit: opts.emit };
  }

  /** The site's known postings: all of them, or those the revisit policy says are due. */
  private known(mode: 'all' | 'due'): WatchedPage[] {
    const rows = this.store.postingsToCheck(this.site.id);
    if (mode === 'all') return rows;
    const now = new Date();
    return rows.filter((r) => isDue({ ...r, has_hits: Boolean(r.has_hits), pinned: Boolean(r.pinned) }, this.opts.revisit, now));
  }

  /** The fetches to make: controls first, then the rechecks (with conditional headers). */
  tasks(): PassTask[] {
    const mode = this.opts.mode;
    if (mode === 'none') return [];
    const pages =
      typeof mode === 'object'
        ? mode.urls.map((u) => this.store.pageByUrl(u)).filter((p): p is WatchedPage => Boolean(p) && p!.site_id === this.site.id)
        : this.known(mode);
    if (pages.length === 0) return [];
    const out: PassTask[] = [];
    const control = (role: ControlRole, url: string) => {
      this.controls.set(role, { url });
      out.push({ url, purpose: { siteId: this.site.id, label: 'control' }, data: { kind: 'control', role } });
    };
    control('home', this.site.home);
    control('not_found', madeUpUrl(pages[0]!.url));
    // a pass of a few pages (check URL, the due ones) may have no live posting among them to vouch
    // that the site serves its postings: one that answered normally lately is asked too
    const sibling = mode === 'all' ? undefined : this.store.liveSibling(this.site.id, new Set(pages.map((p) => p.url)));
    if (sibling) control('sibling', sibling);
    const check = (page: WatchedPage, attachment?: CheckState['attachment']) => {
      const last = page.last_capture_id ? this.store.captureHead(page.last_capture_id) : undefined;
      this.checks.set(page.url, { page, last, ...(attachment ? { attachment } : {}) });
      // a download that wants its posting as Referer (VSB's download.jsp) is asked as it was first
      const headers: Record<string, string> = attachment ? { Referer: attachment.posting.url } : {};
      if (last?.etag) headers['If-None-Match'] = last.etag;
      if (last?.last_modified) headers['If-Modified-Since'] = last.last_modified;
      out.push({
        url: page.url,
        purpose: { siteId: this.site.id, label: 'check', ...(attachment ? { parentUrl: attachment.posting.url } : {}) },
        headers,
        data: { kind: 'check', pageId: page.id },
        ...(attachment ? { maxBodyBytes: Math.round(this.site.maxAttachmentMB * 1024 * 1024) } : {}),
      });
    };
    for (const page of pages) check(page);
    // a posting's files are checked with it; those never fetched are tried again (attachment-checks.ts)
    const now = new Date();
    for (const page of pages) {
      const { due, retries } = filesOf(this.store, page.id, mode === 'due' ? { policy: this.opts.revisit, now } : undefined);
      for (const a of due) if (!this.checks.has(a.url)) check(a, { name: a.link_name || a.title || a.url, posting: page });
      if (!retries.length || !this.opts.newFiles) continue;
      this.checks.get(page.url)!.retries = retries;
      out.push(...this.opts.newFiles.fetch(page.url, retries, page.url));
    }
    return out;
  }

  get active(): boolean {
    return this.checks.size > 0;
  }

  noteLive(url: string): void {
    this.live.add(url);
  }

  /** Reads a check's or control's answer; returns the fetches of files a read posting newly links. */
  async onPage(page: PassPage, exchange: string, bodySha: string | undefined): Promise<PassTask[]> {
    const last = page.chain[page.chain.length - 1]!;
    const answer: Answer = { status: page.status, finalUrl: page.finalUrl, redirected: page.chain.length > 1 };
    const state = page.task.purpose.label === 'check' ? this.checks.get(page.task.url) : undefined;
    // the same bytes as the last capture: nothing to read, the page is as it was
    const previous = state?.last;
    answer.sameBytes = Boolean(previous && bodySha && previous.body_sha256 === bodySha && previous.final_url === page.finalUrl);
    const fresh = page.status >= 200 && page.status < 300 && !answer.sameBytes;
    const read = !fresh ? undefined : state?.attachment ? await this.opts.readAttachment(page, state.attachment.name) : await this.opts.read(page);
    if (read) Object.assign(answer, { title: read.title, text: read.text, clientRedirect: read.clientRedirect, challenge: read.challenge, notFound: read.notFound });
    if (page.task.purpose.label === 'control') {
      const c = page.task.data?.kind === 'control' ? this.controls.get(page.task.data.role) : undefined;
      if (c) Object.assign(c, { answer, exchange });
      return [];
    }
    if (!state) return [];
    Object.assign(state, { answer, read, exchange, at: last.startedAt.toISOString(), status: page.status });
    if (state.attachment || !read?.attachments?.length || !this.opts.newFiles) return [];
    const linked = new Set([...this.store.attachmentsOf(state.page.id).map((a) => a.url), ...(state.retries ?? []).map((l) => l.url)]);
    state.links = read.attachments.filter((l) => !linked.has(l.url));
    return state.links.length ? this.opts.newFiles.fetch(state.page.url, state.links, page.finalUrl) : [];
  }

  onFailure(f: PassFailure, exchange: string | undefined): void {
    // a hop that was not followed (refused, off the site) is where the page now leads
    const refusedTo = f.kind === 'redirect_offsite' || f.kind === 'redirect_refused' ? f.chain[f.chain.length - 1]?.location : undefined;
    const answer: Answer = { errorKind: f.kind, errorMessage: f.message, ...(refusedTo ? { finalUrl: refusedTo, redirected: true } : {}) };
    if (f.task.purpose.label === 'control') {
      const c = f.task.data?.kind === 'control' ? this.controls.get(f.task.data.role) : undefined;
      if (c) Object.assign(c, { answer, exchange });
      return;
    }
    const state = this.checks.get(f.task.url);
    const at = f.chain[f.chain.length - 1]?.startedAt.toISOString() ?? new Date().toISOString();
    if (state) Object.assign(state, { answer, exchange, at, status: f.chain[f.chain.length - 1]?.response?.status });
  }

  private fetchId(exchange: string | undefined): number | undefined {
    return exchange ? this.ctx.recorder.fetchId(exchange) : undefined;
  }

  /** Checks whose fetch was never answered (the pass stopped first) are left for the next pass. */
  forgetUnanswered(): void {
    for (const [url, c] of this.checks) if (!c.answer) this.checks.delete(url);
  }

  /**
   * Decides every check, writes them in batched transactions with their events, reports site
   * trouble once; then, for each list seen whole in this run (`wholeLists`), reports postings that
   * left it but are still served.
   */
  finish(listRoots: string[], wholeLists: string[]): void {
    if (!this.active) return;
    const homeUrls = [this.site.home, ...listRoots];
    const siteControls: SiteControls = { homeUrls, random: this.controls.get('not_found')?.answer };
    const verdicts = new Map<string, Verdict>();
    for (const [url, c] of this.checks) {
      // the text is compared only with an answer that was read (not the same bytes, not a 304)
      const last = c.read && c.last ? this.store.capture(c.last.id) : undefined;
      if (last) c.full = last;
      let v: Verdict = c.answer ? classify({ ...c.answer, previousText: last?.text ?? undefined, previousTitle: last?.title ?? undefined }, siteControls, url) : { kind: 'unreachable', reason: 'not_fetched', detail: 'the check was not made' };
      if (v.kind === 'live' && c.attachment) v = attachmentVerdict(c.read as AttachmentAnswer | undefined, c.last?.content_type);
      verdicts.set(url, v);
      if (v.kind === 'live' || v.kind === 'not_modified') this.live.add(url);
    }
    const home = this.controls.get('home');
    const homeVerdict: Verdict = home?.answer ? classify(home.answer, { homeUrls: [], random: siteControls.random }, home.url) : { kind: 'unreachable', reason: 'not_fetched', detail: 'not fetched' };
    const sibling = this.controls.get('sibling');
    if (sibling?.answer && classify(sibling.answer, siteControls, sibling.url).kind === 'live') this.live.add(sibling.url);
    const homeOk = homeVerdict.kind === 'live';
    const siblingOk = this.live.size > 0;
    const summary: ControlsSummary = {
      healthy: homeOk && siblingOk,
      home: `${this.site.home}: ${describeAnswer(home?.answer)}`,
      sibling: siblingOk ? `${[...this.live][0]}: answered normally` : 'no posting of the site answered normally in this run',
      not_found: `${this.controls.get('not_found')?.url}: ${describeAnswer(siteControls.random)}`,
    };
    // the checks' fetch rows, written now in one go (a recheck pass asks for none before)
    this.ctx.recorder.flush();
    const controlFetches = Object.fromEntries([...this.controls].map(([role, c]) => [role, { url: c.url, fetch: this.fetchId(c.exchange) ?? null, answer: describeAnswer(c.answer) }]));
    const trouble = siteTrouble([...verdicts.values()], { healthy: summary.healthy, homeVerdict, siblingOk });
    this.troubled = Boolean(trouble);
    if (trouble) this.trouble = { kind: trouble.kind, detail: trouble.detail };
    const at = new Date().toISOString();
    reportSite(this.reports, trouble, at);
    // batched: one transaction for up to CHECKS_PER_TRANSACTION checks (with their events and
    // alerts), not one each; the events are told once their batch is committed
    const checks = [...this.checks];
    for (let i = 0; i < checks.length; i += CHECKS_PER_TRANSACTION) {
      const batch = checks.slice(i, i + CHECKS_PER_TRANSACTION);
      const decided = this.ctx.catalogue.transaction(() => batch.map(([url, c]) => this.decide(url, c, verdicts.get(url)!, { summary, controlFetches, trouble: Boolean(trouble), verdicts })));
      for (const d of decided) this.told(d);
    }
    if (!trouble) for (const root of wholeLists) reportDelistings(this.reports, root, verdicts);
  }

  /** Site-wide trouble found without rechecks (every list page behind a challenge that was not passed). */
  reportSiteTrouble(kind: 'unreachable' | 'challenge_failed', reason: string, detail: string): void {
    this.troubled = true;
    this.trouble = { kind, detail };
    reportSite(this.reports, { kind, reason, detail }, new Date().toISOString());
  }

  /** One check's rows and events, written inside its batch's transaction. */
  private decide(url: string, c: CheckState, v: Verdict, k: { summary: ControlsSummary; controlFetches: object; trouble: boolean; verdicts: Map<string, Verdict> }): Decided {
    const page = c.page;
    const at = c.at ?? new Date().toISOString();
    const cat = this.ctx.catalogue;
    const events: XjEvent[] = [];
    this.counts.checked++;
    if (c.attachment) this.counts.attachments++;
    const ref: AttachmentRef | undefined = c.attachment && { name: c.attachment.name, posting: c.attachment.posting.url, posting_title: c.attachment.posting.title ?? '' };
    const last = c.full ?? c.last;
    let captureId: number | undefined;
    let outcome: string = v.kind;
    if (v.kind === 'live' && c.read) {
      const read = c.read;
      if (last && read.capture.bodySha256 === last.body_sha256) {
        outcome = 'unchanged'; // the same bytes: a check row, not a second capture
        this.counts.unchanged++;
      } else if (c.attachment ? last?.text_sha256 && read.capture.textSha256 === last.text_sha256 : last?.compare_sha256 && read.capture.compareSha256 === last.compare_sha256) {
        // only counters, timestamps or the frame moved: the answer is kept (blob, WARC) and
        // the check row points at it, but it is not a new capture of the posting
        outcome = 'trivial';
        this.counts.trivial++;
      } else if (c.attachment) {
        // a file's terms are its own; its posting's stay as they are until the posting is read again
        captureId = cat.saveCapture(read.capture).captureId;
        if (last) {
          outcome = 'changed';
          this.counts.changed++;
          const lastTerms = this.store.hitsOf(last.id).map((h) => h.term);
          events.push(changedEvent({ site: this.site.id, page, last, lastTerms, read, at, attachment: ref, sheets: sheetsOf(this.store, last, read as AttachmentAnswer) }));
        }
      } else {
        // the posting's terms are its page's and its attachments' (as first captured): a recheck
        // reads only the page, so the attachments' hits are carried over, else their terms
        // would be reported as vanished from an edit that did not touch them. Files it links now
        // that it did not are kept and linked first, so that their terms are its too.
        const links = [...(c.links ?? []), ...(c.retries ?? [])];
        const files = links.length && this.opts.newFiles ? this.opts.newFiles.keep(page.id, url, links) : [];
        c.retries = undefined;
        const carried = carriedHits(this.store, page.id);
        const order = [...new Set([...read.hits, ...carried].map((h) => h.term))].map((term) => ({ term, variants: [], tags: [] }));
        const hits = mergeHits([read.hits, carried], order);
        const saved = cat.saveCapture({ ...read.capture, hits });
        captureId = saved.captureId;
        if (last) {
          outcome = 'changed';
          this.counts.changed++;
          const lastTerms = this.store.hitsOf(last.id).map((h) => h.term);
          events.push(changedEvent({ site: this.site.id, page, last, lastTerms, read: { ...read, hits }, at, ...(files.length ? { files: files.map(attachmentSummary) } : {}) }));
        }
      }
    } else if (v.kind === 'not_modified' || v.kind === 'live') {
      outcome = 'unchanged';
      this.counts.unchanged++;
    } else if (v.kind === 'gone') this.counts.gone++;
    else if (v.kind === 'unreachable' || v.kind === 'blocked') this.counts.unreachable++;
    // files tried again while the posting stayed as it was: those now captured are news of it
    if (c.retries?.length && this.opts.newFiles) {
      const files = this.opts.newFiles.keep(page.id, url, c.retries).filter((f) => f.capture);
      if (files.length && last && (v.kind === 'live' || v.kind === 'not_modified')) events.push(retriedFilesEvent(files, { site: this.site.id, page, last, lastTerms: this.store.hitsOf(last.id).map((h) => h.term), at }));
    }

    const watch: PageWatch = { reported: page.reported, failReason: page.fail_reason, failCount: page.fail_count, failSince: page.fail_since };
    // a file whose posting did not answer normally in this pass goes with its posting: the posting's
    // deletion (or outage) is the news, and the file's check is kept without a step of its own
    const postingKind = c.attachment ? k.verdicts.get(c.attachment.posting.url)?.kind : undefined;
    const withPosting = c.attachment && postingKind !== 'live' && postingKind !== 'not_modified';
    const s = withPosting ? { watch, counted: false, happenings: [] } : step(watch, v, { controlsHealthy: k.summary.healthy, siteTrouble: k.trouble, confirmAfter: this.opts.confirmAfter, at });
    this.store.insertCheck({
      runId: this.ctx.runId,
      pageId: page.id,
      at,
      fetchId: this.fetchId(c.exchange),
      captureId,
      outcome,
      reason: 'reason' in v ? v.reason : undefined,
      status: c.status,
      finalUrl: c.answer?.finalUrl,
      controls: { ...k.summary, fetches: k.controlFetches, site_trouble: k.trouble },
      counted: s.counted,
      detail: 'detail' in v ? v.detail : undefined,
    });
    if (!withPosting) this.store.updateWatch(page.id, s.watch, at, s.happenings.length > 0);
    for (const h of s.happenings) {
      const e = happeningEvent(h, { site: this.site.id, page, verdict: v, status: c.status, read: c.read, last, controls: k.summary, at });
      if (ref && 'title' in e) Object.assign(e, { attachment: ref, title: ref.posting_title || ref.name });
      events.push(e);
    }
    for (const e of events) cat.insertEvent({ runId: this.ctx.runId, kind: e.kind, siteId: this.site.id, pageId: page.id, url, at, captureId, body: e });
    return { url, pageId: page.id, events, attachment: Boolean(c.attachment) };
  }

  /** A committed check's events are told, and its pictures asked for: a changed page's new capture (and the one before, if never pictured); a deleted page's last live capture and present answer. */
  private told({ url, pageId, events, attachment }: Decided): void {
    for (const e of events) this.opts.emit(e);
    const picture = this.opts.picture;
    // a file's capture is the file: there is no page to picture
    if (!picture || attachment) return;
    const lastId = this.store.pageByUrl(url)?.last_capture_id ?? undefined;
    askPictures(this.ctx.db, picture, { pageId, url, events, lastId, always: Boolean(this.opts.pictureAlways?.includes(url)) });
  }
}
