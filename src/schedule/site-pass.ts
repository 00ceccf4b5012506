import type { Site } from '../config/site-file.js';
import type { AttachmentSummary, XjEvent } from '../detect/events.js';
import { newPostingEvent } from '../detect/new-posting.js';
import { decodeBody } from '../fetch/decode.js';
import type { Exchange } from '../fetch/exchange.js';
import { crawlSite, type FailedFetch, type FetchedPage, type FetchTask } from '../fetch/site-crawler.js';
import { parseHtml } from '../extract/html.js';
import { extractListing } from '../extract/listing.js';
import { extractPosting } from '../extract/posting.js';
import type { DocumentTextExtractor } from '../extract/document-text/extractor.js';
import { mergeHits, type TermMatcher } from '../terms/matcher.js';
import { normalizeText } from '../terms/normalize.js';
import type { TermHit } from '../terms/types.js';
import type { CaptureInput } from '../store/catalogue.js';
import { sha256Hex } from '../store/blobs.js';
import type { RunContext } from './run-context.js';
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
}

interface ListRoot {
  url: string;
  spec: Site['lists'][number];
  pages: number;
  maxPages: number;
  seen: Set<string>;
  stopped?: string;
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
  capture: CaptureInput;
  pageHits: TermHit[];
  attachments: { url: string; name: string }[];
  waiting: Set<string>;
}

const DEFAULT_MAX_PAGES = 100;
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

  constructor(
    private readonly site: Site,
    private readonly ctx: RunContext,
    private readonly matcher: TermMatcher,
    private readonly opts: SitePassOptions,
  ) {
    this.known = ctx.catalogue.knownUrls(site.id, 'posting');
    this.knownAttachments = ctx.catalogue.knownUrls(site.id, 'attachment');
    this.outcome = { site: site.id, listPages: 0, listFailures: [], postingsSeen: 0, newPostings: 0, reported: 0, attachments: 0, failures: [], problems: [], unreachable: false };
  }

  async run(): Promise<SiteOutcome> {
    const site = this.site;
    this.ctx.catalogue.upsertSite(site, this.ctx.runId);
    const start: FetchTask[] = site.lists.map((spec) => {
      const maxPages = this.opts.maxPages ?? spec.maxPages ?? DEFAULT_MAX_PAGES;
      this.roots.set(spec.url, { url: spec.url, spec, pages: 0, maxPages, seen: new Set() });
      this.listRootOf.set(spec.url, spec.url);
      return this.listTask(spec.url, spec.url, 1);
    });
    await crawlSite(start, {
      userAgent: site.userAgent ?? this.opts.userAgent,
      perHost: site.rate.perHost,
      delayMs: site.rate.delayMs,
      timeoutMs: site.timeoutMs,
      maxBodyBytes: Math.round(site.maxBodyMB * 1024 * 1024),
      retries: site.retries.count,
      backoffMs: site.retries.backoffMs,
      sink: this.ctx.recorder.record,
      onPage: (page) => this.guard(page.task, () => this.onPage(page)),
      onFailure: (f) => this.onFailure(f),
    });
    // Anything still waiting lost its attachments to a failure the crawler did not report.
    for (const p of [...this.pending.values()]) this.finalize(p);
    this.outcome.unreachable = this.outcome.listPages === 0 && this.outcome.listFailures.length > 0;
    return this.outcome;
  }

  /** A bug or a hostile page in one handler must not cost the run: record it and go on. */
  private async guard(task: FetchTask, fn: () => Promise<FetchTask[]> | FetchTask[]): Promise<FetchTask[]> {
    try {
      return await fn();
    } catch (err) {
      this.problem(task.url, `could not process ${task.purpose.label}: ${(err as Error).message}`);
      if (task.purpose.label === 'attachment') this.attachmentDone(task.url, { url: task.url, name: String(task.data?.name ?? ''), hits: [], error: (err as Error).message });
      if (task.purpose.label === 'posting') this.opts.progress.postingDone(this.site.id);
      return [];
    }
  }

  private async onPage(page: FetchedPage): Promise<FetchTask[]> {
    switch (page.task.purpose.label) {
      case 'list':
        return this.onList(page);
      case 'posting':
        return this.onPosting(page);
      case 'attachment':
        await this.onAttachment(page);
        return [];
      default:
        return [];
    }
  }

  private onFailure(f: FailedFetch): void {
    const { url, purpose } = f.task;
    this.outcome.failures.push({ url, kind: f.kind, message: f.message });
    this.opts.progress.failure(this.site.id);
    if (purpose.label === 'list') this.outcome.listFailures.push(`${url}: ${f.kind} (${f.message})`);
    if (purpose.label === 'posting') this.opts.progress.postingDone(this.site.id);
    if (purpose.label === 'attachment') {
      // a body cut at the size limit is still kept, in the WARC and the blob store
      this.attachmentDone(url, { url, name: String(f.task.data?.name ?? ''), hits: [], error: `${f.kind}: ${f.message}` });
    }
  }

  private listTask(url: string, root: string, n: number): FetchTask {
    this.listRootOf.set(url, root);
    return { url, purpose: { siteId: this.site.id, label: 'list' }, data: { root, n } };
  }

  private onList(page: FetchedPage): FetchTask[] {
    const root = this.roots.get(String(page.task.data?.root))!;
    root.pages++;
    this.outcome.listPages++;
    this.opts.progress.list(this.site.id);
    const at = page.chain[page.chain.length - 1]!.startedAt.toISOString();
    if (page.status !== 200) {
      this.outcome.listFailures.push(`${page.task.url}: HTTP ${page.status}`);
      if (root.pages === 1) this.outcome.listPages--;
      return [];
    }
    const decoded = decodeBody(page.body, headerString(page.headers['content-type']), this.site.encoding);
    const $ = parseHtml(decoded.text);
    const listing = extractListing($, page.finalUrl, { links: root.spec.links, follow: this.site.follow, next: root.spec.next });
    const fresh = listing.postings.filter((l) => !root.seen.has(l.url));
    for (const l of listing.postings) root.seen.add(l.url);
    const problems: string[] = decoded.note ? [`charset: ${decoded.note}`] : [];
    const follow: FetchTask[] = [];

    // pagination, guarded: a page that only repeats earlier links is a trap, and maxPages caps it
    if (listing.postings.length > 0 && fresh.length === 0) {
      root.stopped = 'pagination trap: the page only repeats links of earlier pages; pagination stopped here';
      problems.push(root.stopped);
      this.problem(page.task.url, root.stopped);
    } else {
      const next = [...listing.pages];
      if (root.spec.pattern && fresh.length > 0) next.push(new URL(root.spec.pattern.replace('{n}', String(root.spec.start + Number(page.task.data?.n ?? 1) - 1)), root.url).href);
      for (const url of next) {
        if (this.listRootOf.has(url)) continue;
        if (root.pages + follow.length >= root.maxPages) {
          if (!root.stopped) {
            root.stopped = `stopped after ${root.maxPages} list pages (maxPages)`;
            this.problem(root.url, root.stopped);
          }
          break;
        }
        follow.push(this.listTask(url, root.url, Number(page.task.data?.n ?? 1) + 1));
      }
    }
    if (listing.postings.length === 0) problems.push('no posting links found on this list page');

    const fetchId = this.fetchIdOf(page.chain);
    const catalogue = this.ctx.catalogue;
    const brokenEvent = catalogue.transaction(() => {
      catalogue.saveCapture(this.captureInput(page, fetchId, 'list', { charset: decoded.charset, charsetNote: decoded.note, title: undefined, problems }));
      for (const l of listing.postings) {
        if (!this.known.has(l.url)) continue;
        const p = catalogue.page(l.url);
        if (p) catalogue.recordListing(p.id, page.finalUrl, this.ctx.runId, at);
      }
      return listing.postings.length === 0 && root.url === page.task.url ? this.siteBroken(page.task.url, at) : undefined;
    });
    if (brokenEvent) this.opts.emit(brokenEvent);

    for (const l of listing.postings) {
      this.outcome.postingsSeen++;
      if (this.known.has(l.url) || this.pending.has(l.url)) continue;
      this.opts.progress.postingQueued(this.site.id);
      follow.push({ url: l.url, purpose: { siteId: this.site.id, label: 'posting', parentUrl: page.finalUrl }, data: { listUrl: page.finalUrl, linkText: l.text } });
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

  private async onPosting(page: FetchedPage): Promise<FetchTask[]> {
    const url = page.task.url;
    const listUrl = String(page.task.data?.listUrl ?? '');
    if (page.status < 200 || page.status >= 300) {
      this.problem(url, `listed posting answers HTTP ${page.status}; not captured as a posting`);
      this.opts.progress.postingDone(this.site.id);
      return [];
    }
    const fetchId = this.fetchIdOf(page.chain);
    const contentType = headerString(page.headers['content-type']);
    const mime = (contentType ?? '').split(';')[0]!.trim();
    let capture: CaptureInput;
    let pageHits: TermHit[] = [];
    let attachments: { url: string; name: string }[] = [];
    if (HTML_TYPES.test(mime) || looksLikeHtml(page.body)) {
      const decoded = decodeBody(page.body, contentType, this.site.encoding);
      const $ = parseHtml(decoded.text);
      const ex = extractPosting($, page.finalUrl, this.site.article, this.site.name);
      const title = ex.title || String(page.task.data?.linkText ?? '');
      const normTitle = normalizeText(title);
      const normBody = normalizeText(ex.text);
      pageHits = this.matcher.matchNormalized(`${normTitle}\n${normBody}`);
      const problems = [...ex.problems, ...(decoded.note ? [`charset: ${decoded.note}`] : [])];
      for (const p of problems) this.problem(url, p);
      const text = `${title}\n\n${ex.text}`;
      capture = this.captureInput(page, fetchId, 'posting', {
        charset: decoded.charset,
        charsetNote: decoded.note,
        title,
        published: ex.published,
        dateSource: ex.dateSource,
        text,
        textSha256: sha256Hex(text),
        searchText: normBody,
        problems,
        hits: pageHits,
      });
      capture.title = title;
      attachments = ex.attachments.map((a) => ({ url: a.url, name: a.name }));
    } else {
      // a list that links straight to a document: the document is the posting
      const title = String(page.task.data?.linkText ?? '');
      const doc = await this.documentText(page, title, contentType);
      pageHits = this.matcher.matchNormalized(`${normalizeText(title)}\n${doc.searchText ?? ''}`);
      capture = this.captureInput(page, fetchId, 'posting', { title, ...doc, hits: pageHits });
    }
    const pending: PendingPosting = { url, listUrl, capture, pageHits, attachments, waiting: new Set() };
    this.pending.set(url, pending);
    const tasks: FetchTask[] = [];
    for (const a of attachments) {
      const done = this.attachmentResults.get(a.url);
      if (done || this.knownAttachments.has(a.url)) continue;
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
        data: { name: a.name },
        maxBodyBytes: Math.round(this.site.maxAttachmentMB * 1024 * 1024),
      });
    }
    if (pending.waiting.size === 0) this.finalize(pending);
    return tasks;
  }

  /** Text of a document (PDF, Word, Excel), kept with the capture and normalised for search and terms. */
  private async documentText(page: FetchedPage, name: string, contentType: string | undefined): Promise<{ text?: string; textSha256?: string; searchText?: string; problems: string[] }> {
    const doc = await this.opts.documents.extract(page.body, name || page.finalUrl, contentType);
    const problems = doc.problem && doc.kind !== 'unknown' ? [doc.problem] : [];
    for (const p of problems) this.problem(page.task.url, p);
    if (!doc.text.trim()) return { problems };
    return { text: doc.text, textSha256: sha256Hex(doc.text), searchText: normalizeText(doc.text), problems };
  }

  private async onAttachment(page: FetchedPage): Promise<void> {
    const url = page.task.url;
    const name = String(page.task.data?.name ?? '');
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
    const results = p.attachments.map((a) => this.attachmentResults.get(a.url) ?? { url: a.url, name: a.name, hits: [], ...(this.knownAttachments.has(a.url) ? {} : { error: 'not fetched' }) });
    const hits = mergeHits([p.pageHits, ...results.map((r) => r.hits)], this.matcher.terms);
    const catalogue = this.ctx.catalogue;
    const event = catalogue.transaction(() => {
      const saved = catalogue.saveCapture({ ...p.capture, hits });
      for (const r of results) {
        if (!r.capture || this.savedAttachments.has(r.url)) continue;
        catalogue.saveCapture({ ...r.capture, parentUrl: p.url });
        this.savedAttachments.add(r.url);
      }
      if (p.listUrl) catalogue.recordListing(saved.pageId, p.listUrl, this.ctx.runId, p.capture.at);
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
    }
  }

  private captureInput(
    page: FetchedPage,
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
