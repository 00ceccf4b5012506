import type { Site } from '../config/site-file.js';
import type { AttachmentSummary } from '../detect/events.js';
import type { CaptureInput } from '../store/catalogue.js';
import type { TermMatcher } from '../terms/matcher.js';
import type { TermHit } from '../terms/types.js';
import type { KnownUrls } from './known-urls.js';
import { headerString, looksLikeHtml, type Link, type PageReader } from './page-reader.js';
import type { PassProgress } from './progress.js';
import type { RunContext } from './run-context.js';
import { attachmentName, type PassPage, type PassTask } from './task-data.js';

export interface AttachmentResult {
  url: string;
  name: string;
  capture?: CaptureInput;
  hits: TermHit[];
  error?: string;
  /** captured before (by another posting, or an earlier run): to be linked, not saved again */
  known?: boolean;
}

/** A posting read, waiting for the attachments it links before it is written. */
export interface PendingPosting {
  url: string;
  listUrl: string;
  listRoot: string;
  capture: CaptureInput;
  pageHits: TermHit[];
  attachments: Link[];
  waiting: Set<string>;
}

export interface AttachmentDeps {
  site: Site;
  ctx: RunContext;
  reader: PageReader;
  matcher: TermMatcher;
  progress: PassProgress;
  known: KnownUrls;
  problem: (url: string, problem: string) => void;
  /** an attachment was read or given up on */
  counted: () => void;
  /** all of a posting's attachments are in */
  ready: (p: PendingPosting) => void;
}

/**
 * The attachments of one pass's new postings: each fetched once however many postings link it,
 * its text read off the crawl's path, and each posting handed on when its last one is in.
 */
export class Attachments {
  private readonly pending = new Map<string, PendingPosting>();
  private readonly results = new Map<string, AttachmentResult>();
  /** attachment URL -> the postings waiting for it */
  private readonly waiters = new Map<string, Set<string>>();
  /** attachments whose capture was written in this pass (one capture for all postings that share it) */
  readonly saved = new Set<string>();
  /** attachments whose text is being read */
  private readonly reading = new Set<Promise<void>>();

  constructor(private readonly d: AttachmentDeps) {}

  isPending(postingUrl: string): boolean {
    return this.pending.has(postingUrl);
  }

  /** Holds a posting until its attachments are in; returns the fetches of those not asked for yet. */
  hold(p: PendingPosting, referer: string): PassTask[] {
    this.pending.set(p.url, p);
    const tasks: PassTask[] = [];
    for (const a of p.attachments) {
      if (this.results.get(a.url) || this.d.known.attachment(a.url)) continue;
      p.waiting.add(a.url);
      const waiters = this.waiters.get(a.url);
      if (waiters) {
        waiters.add(p.url);
        continue;
      }
      this.waiters.set(a.url, new Set([p.url]));
      tasks.push(this.task(a, p.url, referer));
    }
    if (p.waiting.size === 0) this.d.ready(p);
    return tasks;
  }

  /**
   * The files a known posting now links that were never captured (a changed posting's new ones, or
   * one that failed before): fetched and read as a new posting's are, for its recheck to keep
   * (`outcomes`) once the pass has them all.
   */
  fetchAlso(postingUrl: string, links: Link[], referer: string): PassTask[] {
    const tasks: PassTask[] = [];
    for (const a of links) {
      if (this.results.has(a.url) || this.waiters.has(a.url) || this.d.known.attachment(a.url)) continue;
      this.waiters.set(a.url, new Set());
      tasks.push(this.task(a, postingUrl, referer));
    }
    return tasks;
  }

  /**
   * What came of each linked file: read in this pass, captured before (by another posting, or an
   * earlier run: its terms as kept), or not fetched.
   */
  outcomes(links: Link[]): AttachmentResult[] {
    return links.map(
      (a) =>
        this.results.get(a.url) ??
        (this.d.known.attachment(a.url)
          ? { url: a.url, name: a.name, hits: this.d.ctx.catalogue.lastHits(a.url).map((h) => ({ ...h, source: `attachment: ${a.name}` })), known: true }
          : { url: a.url, name: a.name, hits: [], error: 'not fetched' }),
    );
  }

  private task(a: Link, postingUrl: string, referer: string): PassTask {
    this.d.progress.attachmentQueued(this.d.site.id);
    return {
      url: a.url,
      purpose: { siteId: this.d.site.id, label: 'attachment', parentUrl: postingUrl },
      // VSB's download.jsp answers an error page to requests without the posting as Referer
      headers: { Referer: referer },
      data: { kind: 'attachment', name: a.name },
      maxBodyBytes: Math.round(this.d.site.maxAttachmentMB * 1024 * 1024),
    };
  }

  /**
   * An attachment's text is read off the crawl's path: the reader works while the crawler fetches
   * on, and the posting is finished when the text is in (the pass waits for all before it ends).
   */
  onAttachment(page: PassPage): void {
    const work = this.read(page).catch((err: Error) => {
      this.d.problem(page.task.url, `could not process attachment: ${err.message}`);
      try {
        if (!this.results.has(page.task.url)) this.done(page.task.url, { url: page.task.url, name: attachmentName(page.task), hits: [], error: err.message });
      } catch (again) {
        this.d.problem(page.task.url, `could not record the attachment's posting: ${(again as Error).message}`);
      }
    });
    this.reading.add(work);
    void work.finally(() => this.reading.delete(work));
  }

  private async read(page: PassPage): Promise<void> {
    const url = page.task.url;
    const name = attachmentName(page.task);
    if (page.status < 200 || page.status >= 300) {
      this.done(url, { url, name, hits: [], error: `HTTP ${page.status}` });
      return;
    }
    const fetchId = this.d.reader.fetchIdOf(page.chain);
    const contentType = headerString(page.headers['content-type']);
    const problems: string[] = [];
    if (/\.(pdf|docx?|xlsx?|wps|et|ofd)$/i.test(name) && looksLikeHtml(page.body)) {
      problems.push('served an HTML page where a file was linked (a dead or guarded download)');
    }
    for (const p of problems) this.d.problem(url, p);
    const { locate, notes, ...doc } = problems.length ? { problems: [] as string[], notes: undefined } : await this.d.reader.documentText(page, name, contentType);
    const hits = doc.text && doc.searchText ? this.d.matcher.matchText(doc.text, `attachment: ${name}`, doc.searchText, locate) : [];
    const capture = this.d.reader.captureInput(page, fetchId, 'attachment', { title: name, contentType, ...doc, problems: [...problems, ...doc.problems], hits });
    capture.parentUrl = String(page.task.purpose.parentUrl ?? '');
    // an unreadable file is a finding: its posting's event says why beside its name (its bytes are kept all the same)
    const why = [...problems, ...doc.problems.filter((p) => !notes?.includes(p))][0];
    this.done(url, { url, name, capture, hits, ...(why ? { error: why } : {}) });
  }

  /** An attachment is read, failed or given up on: the postings that waited only for it go on. */
  done(url: string, result: AttachmentResult): void {
    this.results.set(url, result);
    this.d.progress.attachmentDone(this.d.site.id);
    this.d.counted();
    for (const postingUrl of this.waiters.get(url) ?? []) {
      const p = this.pending.get(postingUrl);
      if (!p) continue;
      p.waiting.delete(url);
      if (p.waiting.size === 0) this.d.ready(p);
    }
    this.waiters.delete(url);
  }

  /** Waits for the texts still being read. */
  async settle(): Promise<void> {
    while (this.reading.size) await Promise.all([...this.reading]);
  }

  /** Postings still waiting: they lost attachments to a failure the crawler did not report. */
  leftovers(): PendingPosting[] {
    return [...this.pending.values()];
  }

  /** Takes a posting off the wait; its attachments as they came out. */
  release(p: PendingPosting): AttachmentResult[] {
    this.pending.delete(p.url);
    return this.outcomes(p.attachments);
  }
}

/** How an attachment is named in its posting's event. */
export function attachmentSummary(r: AttachmentResult): AttachmentSummary {
  return {
    url: r.url,
    name: r.name,
    ...(r.capture ? { capture: `sha256:${r.capture.bodySha256}` } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}
