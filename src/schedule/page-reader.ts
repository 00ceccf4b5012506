import type { SiteCode } from '../config/site-code.js';
import type { Site } from '../config/site-file.js';
import { comparableText } from '../detect/trivia.js';
import type { Exchange } from '../fetch/exchange.js';
import { decodeBody } from '../extract/decode.js';
import type { DocumentTextExtractor } from '../extract/document-text/extractor.js';
import { placeAt } from '../extract/document-text/places.js';
import { parseHtml } from '../extract/html.js';
import { extractPosting } from '../extract/posting.js';
import { clientRedirect } from '../extract/redirect.js';
import { sha256Hex } from '../store/blobs.js';
import type { CaptureInput, FetchRef } from '../store/catalogue.js';
import type { Locate, TermMatcher } from '../terms/matcher.js';
import { normalizeText } from '../terms/normalize.js';
import { readingText } from '../terms/reading.js';
import type { RunContext } from './run-context.js';
import type { ReadAnswer } from './rechecks.js';
import type { AttachmentAnswer } from './attachment-checks.js';
import { postingData, type PassPage } from './task-data.js';

const HTML_TYPES = /^(text\/html|application\/xhtml\+xml|text\/plain)?$/i;

export interface Link {
  url: string;
  name: string;
}

export interface DocumentText {
  text?: string;
  textSha256?: string;
  searchText?: string;
  /** JSON of the document's segments (its pages, paragraphs, rows), kept with the capture */
  segments?: string;
  problems: string[];
}

/** A document's text with where each part of it is (a page, a paragraph, a cell), for its hits. */
export interface PlacedText extends DocumentText {
  locate?: Locate;
  /** of `problems`, those that are notes on how the text was got, not a failure to read it */
  notes?: string[];
}

/**
 * Bytes to a CaptureInput and its term hits: the one reading that new postings, rechecks and
 * attachments share, so that a check compares like with like.
 */
export class PageReader {
  private readonly trivia: RegExp[];

  constructor(
    private readonly site: Site,
    private readonly ctx: RunContext,
    private readonly matcher: TermMatcher,
    private readonly documents: DocumentTextExtractor,
    private readonly problem: (url: string, problem: string) => void,
    /** the site's own code (crawlers/<id>.ts): its postings come as JSON */
    private readonly code?: SiteCode,
  ) {
    this.trivia = site.ignore.patterns.map((p) => new RegExp(p, 'g'));
  }

  /** A new posting: its page read as HTML, or, when a list links straight to a document, that document. */
  async readPosting(page: PassPage): Promise<ReadAnswer & { attachments: Link[] }> {
    const url = page.task.url;
    const fetchId = this.fetchIdOf(page.chain);
    const contentType = headerString(page.headers['content-type']);
    if (page.truncated) this.problem(url, `too large: the body was cut at ${Math.round(this.site.maxBodyMB)} MiB; only that part is kept and read`);
    const coded = this.readCoded(page, fetchId, contentType);
    if (coded) {
      for (const p of coded.capture.problems ?? []) this.problem(url, p);
      return coded;
    }
    if (isHtml(contentType, page.body)) {
      const read = this.readHtml(page, fetchId, contentType);
      for (const p of read.capture.problems) this.problem(url, p);
      return read;
    }
    // a list that links straight to a document: the document is the posting
    const title = postingData(page.task).linkText;
    const { locate: _, notes: __, ...doc } = await this.documentText(page, title, contentType);
    const hits = this.matcher.matchText(`${title}\n${doc.text ?? ''}`);
    const capture = this.captureInput(page, fetchId, 'posting', { title, ...doc, hits });
    return { capture, hits, title, text: doc.text ?? '', attachments: [] };
  }

  /** A recheck's or control's live answer, read like a new posting. */
  async readAnswer(page: PassPage): Promise<ReadAnswer | undefined> {
    const contentType = headerString(page.headers['content-type']);
    const fetchId = this.fetchIdOf(page.chain);
    const coded = this.readCoded(page, fetchId, contentType);
    if (coded) return coded;
    if (isHtml(contentType, page.body)) return this.readHtml(page, fetchId, contentType);
    const { locate: _, notes: __, ...doc } = await this.documentText(page, page.finalUrl, contentType);
    const hits = doc.text ? this.matcher.matchText(doc.text, undefined, doc.searchText) : [];
    const capture = this.captureInput(page, fetchId, 'posting', { ...doc, compareSha256: doc.text ? sha256Hex(comparableText(doc.text, this.trivia)) : undefined, hits });
    return { capture, hits, title: '', text: doc.text ?? '' };
  }

  /**
   * A recheck's answer for a known attachment: the file read as when it was first fetched (its
   * terms with their places, a workbook's rows), or, where a web page comes instead of the file,
   * that page, for the verdict to judge.
   */
  async readAttachmentAnswer(page: PassPage, name: string): Promise<AttachmentAnswer> {
    const contentType = headerString(page.headers['content-type']);
    const fetchId = this.fetchIdOf(page.chain);
    if (looksLikeHtml(page.body)) return { ...this.readHtml(page, fetchId, contentType), html: true };
    const { locate, notes: _, ...doc } = await this.documentText(page, name, contentType);
    const hits = doc.text && doc.searchText ? this.matcher.matchText(doc.text, `attachment: ${name}`, doc.searchText, locate) : [];
    const capture = this.captureInput(page, fetchId, 'attachment', { title: name, contentType, ...doc, hits });
    capture.parentUrl = String(page.task.purpose.parentUrl ?? '');
    return { capture, hits, title: name, text: doc.text ?? '', ...(doc.segments ? { segments: doc.segments } : {}), html: false };
  }

  /**
   * A posting the site's code reads (an API's JSON): its HTML body read as a page's main text,
   * with the title and date the API gives (else the list's). An API's "no such item" is not content.
   */
  private readCoded(page: PassPage, fetchId: FetchRef, contentType: string | undefined): (ReadAnswer & { attachments: Link[] }) | undefined {
    if (!this.code?.readPosting || page.status < 200 || page.status >= 300) return undefined;
    const read = this.code.readPosting({ url: page.task.url, status: page.status, contentType, text: page.body.toString('utf8') });
    if (!read) return undefined;
    const listed = postingData(page.task);
    if ('notFound' in read) {
      const capture = this.captureInput(page, fetchId, 'posting', { title: '', problems: [`the site's API answers that it is not there: ${read.notFound}`] });
      return { capture, hits: [], title: '', text: '', notFound: read.notFound, attachments: [] };
    }
    // the API's HTML is a fragment: within a body of its own, whatever document tags it carries
    const $ = parseHtml(`<html><body>${read.html.replace(/<\/?(?:html|head|body)\b[^>]*>/gi, '')}</body></html>`);
    const published = read.published ?? listed.published;
    return this.readExtracted(page, fetchId, contentType, $, { charset: 'utf-8' }, { title: read.title || listed.linkText, published, dateSource: read.published ? 'api' : listed.published ? 'list' : undefined, body: 'body' });
  }

  /** Reads a posting page: decode, leave out the site's ignored parts, extract, match terms. */
  private readHtml(page: PassPage, fetchId: FetchRef, contentType: string | undefined): ReadAnswer & { attachments: Link[] } {
    const decoded = decodeBody(page.body, contentType, this.site.encoding);
    return this.readExtracted(page, fetchId, contentType, parseHtml(decoded.text), decoded, {});
  }

  private readExtracted(
    page: PassPage,
    fetchId: FetchRef,
    contentType: string | undefined,
    $: ReturnType<typeof parseHtml>,
    decoded: { charset: string; note?: string },
    known: { title?: string; published?: string; dateSource?: string; body?: string },
  ): ReadAnswer & { attachments: Link[] } {
    for (const sel of this.site.ignore.selectors) $(sel).remove();
    const ex = extractPosting($, page.finalUrl, known.body ? { ...this.site.article, body: this.site.article.body ?? known.body } : this.site.article, this.site.name);
    const title = known.title || ex.title || postingData(page.task).linkText;
    if (known.title) ex.problems = ex.problems.filter((p) => p !== 'no title found');
    if (known.published) {
      // the date given with the posting is the one cited; the text's own, if another, is noted
      ex.problems = ex.problems.filter((p) => p !== 'no publication date found' && !p.startsWith('dates disagree:'));
      if (ex.published && ex.published !== known.published) ex.problems.push(`dates disagree: the date given with it says ${known.published} (kept), the text ${ex.published}`);
    }
    const normBody = normalizeText(ex.text);
    const hits = this.matcher.matchText(readingText(title, ex.text));
    const problems = [...ex.problems, ...(decoded.note ? [`charset: ${decoded.note}`] : [])];
    const text = `${title}\n\n${ex.text}`;
    const capture = this.captureInput(page, fetchId, 'posting', {
      charset: decoded.charset,
      charsetNote: decoded.note,
      title,
      published: known.published ?? ex.published,
      dateSource: known.published ? known.dateSource : ex.dateSource,
      text,
      textSha256: sha256Hex(text),
      compareSha256: sha256Hex(comparableText(text, this.trivia)),
      searchText: normBody,
      problems,
      hits,
    });
    return { capture, hits, title, text: ex.text, clientRedirect: clientRedirect($, page.finalUrl, ex.text), attachments: ex.attachments.map((a) => ({ url: a.url, name: a.name })) };
  }

  /** Text of a document (PDF, Word, Excel), kept with the capture and normalised for search and terms. */
  async documentText(page: PassPage, name: string, contentType: string | undefined): Promise<PlacedText> {
    const doc = await this.documents.extract(page.body, name || page.finalUrl, contentType, { stop: this.ctx.signal });
    const problems = doc.problem && (doc.kind !== 'unknown' || doc.misnamed) ? [doc.problem] : [];
    for (const p of problems) this.problem(page.task.url, p);
    // notes (a scanned page, read by OCR or not) are the capture's and the run's to tell, never the file's failure
    for (const n of doc.notes ?? []) this.problem(page.task.url, n);
    if (!doc.text.trim()) return { problems: [...problems, ...(doc.notes ?? [])], ...(doc.notes ? { notes: doc.notes } : {}) };
    const { text, segments } = doc;
    const locate: Locate | undefined = segments?.length ? (offset) => placeAt(text, segments, offset) : undefined;
    return { text, textSha256: sha256Hex(text), searchText: normalizeText(text), problems: [...problems, ...(doc.notes ?? [])], ...(doc.notes ? { notes: doc.notes } : {}), ...(locate ? { locate, segments: JSON.stringify(segments) } : {}) };
  }

  captureInput(page: PassPage, fetchId: FetchRef, kind: CaptureInput['kind'], extra: Partial<CaptureInput> & { problems: string[] }): CaptureInput {
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

  /** The fetch row of the chain's last answer, written when the capture pointing at it is (FetchRef). */
  fetchIdOf(chain: Exchange[]): FetchRef {
    const last = chain[chain.length - 1];
    if (!last || !this.ctx.recorder.recorded(last.id)) throw new Error('internal: a response reached the handler without being recorded');
    return () => {
      const id = this.ctx.recorder.fetchId(last.id);
      if (id === undefined) throw new Error('internal: a capture points at a fetch whose row was never written');
      return id;
    };
  }
}

function isHtml(contentType: string | undefined, body: Buffer): boolean {
  const mime = (contentType ?? '').split(';')[0]!.trim();
  return HTML_TYPES.test(mime) || looksLikeHtml(body);
}

export function headerString(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function looksLikeHtml(body: Buffer): boolean {
  const head = body.subarray(0, 512).toString('latin1').trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<head') || head.startsWith('<meta') || /^<(body|div|script|title)\b/.test(head);
}
