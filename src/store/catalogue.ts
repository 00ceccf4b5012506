import { PreparedStatements, type Db, type Statement } from './db.js';
import { sqlFor } from './dialect.js';
import type { PageRecord } from './rows.js';
import { runHolder } from './run-holder.js';
import { indexShortForms, recordShortHits } from './short-forms.js';
import type { WriteGate } from './write-failure.js';

/** A fetch as the crawl writes it; read back, it is a FetchRecord (rows.ts). */
export interface FetchInput {
  runId: number;
  exchangeId: string;
  siteId?: string;
  purpose?: string;
  via?: 'http' | 'browser';
  taskUrl?: string;
  url: string;
  method: string;
  at: string;
  durationMs: number;
  status?: number;
  ip?: string;
  contentType?: string;
  bodySha256?: string;
  bodySize?: number;
  wireBytes?: number;
  truncated?: string;
  location?: string;
  errorKind?: string;
  error?: string;
  warcFile: string;
  warcOffset: number;
  warcLength: number;
  requestOffset: number;
  requestLength: number;
}

export interface HitRow {
  term: string;
  count: number;
  snippet: string;
  forms: Record<string, number>;
  /** where in an attachment (TermHit.places) */
  places?: string[];
}

/**
 * A fetch row's id, or how to get it: asked for inside the capture's own transaction, so that the
 * fetch rows still waiting in the recorder's batch are written in that one commit, not one before it.
 */
export type FetchRef = number | (() => number);

export interface CaptureInput {
  url: string;
  siteId: string;
  kind: 'list' | 'posting' | 'attachment';
  parentUrl?: string;
  fetchId: FetchRef;
  runId: number;
  at: string;
  finalUrl: string;
  status: number;
  bodySha256: string;
  bodySize: number;
  contentType?: string;
  charset?: string;
  charsetNote?: string;
  etag?: string;
  lastModified?: string;
  /** SHA-256 of the text as compared for changes (detect/trivia.ts) */
  compareSha256?: string;
  title?: string;
  published?: string;
  dateSource?: string;
  /** the extracted text as read (title and body, or a document's text) */
  text?: string;
  textSha256?: string;
  /** normalised text to index for search (postings and attachments) */
  searchText?: string;
  /** a document's segments as JSON (extract/document-text/places.ts): which page, paragraph or row each stretch of its text is */
  segments?: string;
  problems: string[];
  hits: HitRow[];
  /** a third-party capture: the bytes are an archive's copy (schema step 7), not the page's server's */
  thirdParty?: ThirdPartyInput;
}

/** Where a third-party capture came from, and when the archive saw the page. */
export interface ThirdPartyInput {
  archive: string;
  archiveUrl: string;
  /** ISO time the archive says it saw the page */
  archivedAt: string;
  originalUrl: string;
  archiveStatus?: number;
  digest?: string;
  lookupFetchId?: number;
}

export interface EventInput {
  /** none for what no run found (the operator's disk and outbox checks) */
  runId: number | null;
  kind: string;
  siteId?: string;
  pageId?: number;
  url?: string;
  at: string;
  captureId?: number;
  body: object;
}

/**
 * The writes the crawl makes to the catalogue; each public method is one transaction or part of
 * one. With a run's gate, the crawl's writes go through it (a full disk closes it); the run's
 * opening and closing rows (runs, sealed WARC files) do not.
 */
export class Catalogue {
  private readonly stmts;

  constructor(
    readonly db: Db,
    private readonly gate?: WriteGate,
  ) {
    this.stmts = statementsOf(db);
  }

  private prepared: PreparedStatements | undefined;

  private stmt(sql: string): Statement {
    this.prepared ??= PreparedStatements.of(this.db);
    return this.prepared.get(sql);
  }

  /** A WARC file is complete: its hash goes into the custody log. */
  sealWarc(runId: number, file: string, sha256: string, size: number): void {
    this.stmt(`INSERT INTO warc_files (run_id, file, sha256, size, sealed_at) VALUES (?, ?, ?, ?, ?)`).run(runId, file, sha256, size, new Date().toISOString());
  }

  transaction<T>(fn: () => T): T {
    return this.write(() => this.db.transaction(fn).immediate());
  }

  private write<T>(fn: () => T): T {
    return this.gate ? this.gate.write('the catalogue', fn) : fn();
  }

  /** The run's tracked forms too short for trigrams are indexed over every text (short-forms.ts); returns those new to the catalogue. */
  indexShortForms(forms: readonly string[]): string[] {
    return this.write(() => indexShortForms(this.db, forms));
  }

  beginRun(command: string, at = new Date().toISOString()): number {
    return Number(this.stmts.beginRun.run(at, command, runHolder()).lastInsertRowid);
  }

  finishRun(id: number, status: string, summary: object): void {
    this.stmts.finishRun.run(new Date().toISOString(), status, JSON.stringify(summary), id);
  }

  upsertSite(site: { id: string; name: string; home: string; source: string }, runId: number): void {
    this.write(() => this.stmts.upsertSite.run(site.id, site.name, site.home, site.source, runId, runId));
  }

  /** The site's pages its file pins now, and no others. */
  markPinned(siteId: string, urls: string[]): void {
    const list = JSON.stringify(urls);
    this.write(() =>
      this.stmt(
        sqlFor(this.db, {
          sqlite: `UPDATE pages SET pinned = (url IN (SELECT value FROM json_each(?))) WHERE site_id = ? AND (pinned = 1 OR url IN (SELECT value FROM json_each(?)))`,
          pg: `UPDATE pages SET pinned = CASE WHEN url IN (SELECT json_array_elements_text(CAST(? AS json))) THEN 1 ELSE 0 END WHERE site_id = ? AND (pinned = 1 OR url IN (SELECT json_array_elements_text(CAST(? AS json))))`,
        }),
      ).run(list, siteId, list),
    );
  }

  insertFetch(row: FetchInput): number {
    return Number(this.write(() => this.stmts.insertFetch.run(fetchParams(row))).lastInsertRowid);
  }

  /** Several fetch rows in one transaction; their ids in the same order. */
  insertFetches(rows: FetchInput[]): number[] {
    return this.transaction(() => rows.map((r) => Number(this.stmts.insertFetch.run(fetchParams(r)).lastInsertRowid)));
  }

  page(url: string): PageRecord | undefined {
    return this.stmts.pageByUrl.get(url) as PageRecord | undefined;
  }

  knownUrls(siteId: string, kind: 'posting' | 'attachment' | 'list'): Set<string> {
    return new Set((this.stmts.knownUrls.all(siteId, kind) as { url: string }[]).map((r) => r.url));
  }

  /** Stores one capture with its hits and search text; creates the page on first sight. */
  saveCapture(c: CaptureInput): { pageId: number; captureId: number; created: boolean } {
    let page = this.page(c.url);
    let created = false;
    if (!page) {
      const parentId = c.parentUrl ? this.page(c.parentUrl)?.id ?? null : null;
      const id = Number(this.stmts.insertPage.run(c.url, c.siteId, c.kind, parentId, c.at, c.at, c.title ?? null, c.published ?? null).lastInsertRowid);
      page = { id } as PageRecord;
      created = true;
    }
    const captureId = Number(
      this.stmts.insertCapture.run({
        pageId: page.id,
        fetchId: typeof c.fetchId === 'function' ? c.fetchId() : c.fetchId,
        runId: c.runId,
        at: c.at,
        finalUrl: c.finalUrl,
        status: c.status,
        bodySha256: c.bodySha256,
        bodySize: c.bodySize,
        contentType: c.contentType ?? null,
        charset: c.charset ?? null,
        charsetNote: c.charsetNote ?? null,
        title: c.title ?? null,
        published: c.published ?? null,
        dateSource: c.dateSource ?? null,
        text: c.text ?? null,
        textSha256: c.textSha256 ?? null,
        compareSha256: c.compareSha256 ?? null,
        etag: c.etag ?? null,
        lastModified: c.lastModified ?? null,
        textChars: c.searchText?.length ?? null,
        problems: c.problems.length ? JSON.stringify(c.problems) : null,
      }).lastInsertRowid,
    );
    this.stmts.touchPage.run(c.at, captureId, c.title ?? null, c.published ?? null, page.id);
    const t = c.thirdParty;
    if (t) {
      this.stmt(`INSERT INTO prior_captures (capture_id, archive, archive_url, archived_at, original_url, archive_status, digest, lookup_fetch_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(captureId, t.archive, t.archiveUrl, t.archivedAt, t.originalUrl, t.archiveStatus ?? null, t.digest ?? null, t.lookupFetchId ?? null);
    }
    if (c.segments) this.stmt(`INSERT OR IGNORE INTO text_places (capture_id, segments) VALUES (?, ?)`).run(captureId, c.segments);
    for (const h of c.hits) this.stmts.insertHit.run(captureId, h.term, h.count, h.snippet, JSON.stringify(h.forms), h.places?.length ? JSON.stringify(h.places) : null);
    if (c.searchText && c.kind !== 'list') {
      const prev = this.stmts.lastTextSha.get(page.id, captureId) as { text_sha256: string | null } | undefined;
      if (!prev || prev.text_sha256 !== c.textSha256) {
        this.stmts.insertText.run(captureId, c.title ?? '', c.searchText);
        recordShortHits(this.db, captureId);
      }
    }
    return { pageId: page.id, captureId, created };
  }

  /** The posting was seen on the list whose first page is `listRoot` (on its page `pageUrl`). */
  /** The newest capture of a list page, for conditional requests and 304 answers. */
  lastListCapture(url: string): { body_sha256: string; content_type: string | null; etag: string | null; last_modified: string | null } | undefined {
    return this.stmt(`SELECT c.body_sha256, c.content_type, c.etag, c.last_modified FROM captures c JOIN pages p ON p.id = c.page_id WHERE p.url = ? AND p.kind = 'list' ORDER BY c.id DESC LIMIT 1`)
      .get(url) as { body_sha256: string; content_type: string | null; etag: string | null; last_modified: string | null } | undefined;
  }

  /** Links an attachment (by URL, once it has a page) to a posting. */
  linkAttachment(postingId: number, attachmentUrl: string, name: string): void {
    const a = this.page(attachmentUrl);
    if (a) this.stmt(`INSERT OR IGNORE INTO attachment_links (posting_id, attachment_id, name) VALUES (?, ?, ?)`).run(postingId, a.id, name);
  }

  /** A file a posting links could not be fetched: one failure more, to be tried again later. */
  noteAttachmentFailure(postingId: number, url: string, name: string, at: string, reason: string | undefined): void {
    this.stmt(
      `INSERT INTO attachment_failures (posting_id, url, name, failures, last_tried_at, reason) VALUES (?, ?, ?, 1, ?, ?)
       ON CONFLICT (posting_id, url) DO UPDATE SET failures = attachment_failures.failures + 1, last_tried_at = excluded.last_tried_at, reason = excluded.reason`,
    ).run(postingId, url, name, at, reason ?? null);
  }

  /** A file once failed is captured: no more tries, for any posting. */
  clearAttachmentFailure(url: string): void {
    this.stmt(`DELETE FROM attachment_failures WHERE url = ?`).run(url);
  }

  /** The term hits of a page's newest capture (an attachment captured in an earlier run). */
  lastHits(url: string): HitRow[] {
    const p = this.page(url);
    if (!p?.last_capture_id) return [];
    return (this.stmt(`SELECT term, count, snippet, forms, places FROM term_hits WHERE capture_id = ?`).all(p.last_capture_id) as { term: string; count: number; snippet: string; forms: string; places: string | null }[]).map(
      ({ places, ...h }) => ({ ...h, forms: JSON.parse(h.forms) as Record<string, number>, ...(places ? { places: JSON.parse(places) as string[] } : {}) }),
    );
  }

  recordListing(pageId: number, listRoot: string, pageUrl: string, runId: number, at: string): void {
    this.stmts.upsertListing.run(pageId, listRoot, pageUrl, at, at, runId);
  }

  /** Called inside the event's own transaction (the outbox queues its alerts there). */
  afterEvent?: (eventId: number, e: EventInput) => void;

  insertEvent(e: EventInput): number {
    return this.write(() =>
      this.db.transaction(() => {
        const id = Number(
          this.stmts.insertEvent.run(e.runId, e.kind, e.siteId ?? null, e.pageId ?? null, e.url ?? null, e.at, e.captureId ?? null, JSON.stringify(e.body)).lastInsertRowid,
        );
        this.afterEvent?.(id, e);
        return id;
      })(),
    );
  }
}

function fetchParams(row: FetchInput): Record<string, unknown> {
  return { siteId: null, purpose: null, via: 'http', taskUrl: null, status: null, ip: null, contentType: null, bodySha256: null, bodySize: null, wireBytes: null, truncated: null, location: null, errorKind: null, error: null, ...row };
}

/** The crawl's statements, prepared once per connection (a watcher's runs share one). */
const statements = new WeakMap<Db, ReturnType<typeof prepareStatements>>();

function statementsOf(db: Db): ReturnType<typeof prepareStatements> {
  let st = statements.get(db);
  if (!st) statements.set(db, (st = prepareStatements(db)));
  return st;
}

function prepareStatements(db: Db) {
  return {
    insertFetch: db.prepare(`INSERT INTO fetches (run_id, exchange_id, site_id, purpose, via, task_url, url, method, at, duration_ms, status, ip,
      content_type, body_sha256, body_size, wire_bytes, truncated, location, error_kind, error, warc_file, warc_offset, warc_length, request_offset, request_length)
      VALUES (@runId, @exchangeId, @siteId, @purpose, @via, @taskUrl, @url, @method, @at, @durationMs, @status, @ip, @contentType, @bodySha256, @bodySize,
      @wireBytes, @truncated, @location, @errorKind, @error, @warcFile, @warcOffset, @warcLength, @requestOffset, @requestLength)`),
    pageByUrl: db.prepare(`SELECT * FROM pages WHERE url = ?`),
    insertPage: db.prepare(`INSERT INTO pages (url, site_id, kind, parent_id, first_seen_at, last_seen_at, title, published)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    touchPage: db.prepare(`UPDATE pages SET last_seen_at = ?, last_capture_id = ?, title = coalesce(?, title), published = coalesce(?, published) WHERE id = ?`),
    insertCapture: db.prepare(`INSERT INTO captures (page_id, fetch_id, run_id, at, final_url, status, body_sha256, body_size, content_type, charset,
      charset_note, title, published, date_source, text, text_sha256, compare_sha256, text_chars, etag, last_modified, problems)
      VALUES (@pageId, @fetchId, @runId, @at, @finalUrl, @status, @bodySha256, @bodySize, @contentType, @charset, @charsetNote, @title, @published,
      @dateSource, @text, @textSha256, @compareSha256, @textChars, @etag, @lastModified, @problems)`),
    lastTextSha: db.prepare(`SELECT text_sha256 FROM captures WHERE page_id = ? AND id < ? ORDER BY id DESC LIMIT 1`),
    insertHit: db.prepare(`INSERT INTO term_hits (capture_id, term, count, snippet, forms, places) VALUES (?, ?, ?, ?, ?, ?)`),
    insertText: db.prepare(`INSERT INTO texts (rowid, title, body) VALUES (?, ?, ?)`),
    upsertListing: db.prepare(`INSERT INTO listings (page_id, list_url, page_url, first_seen_at, last_seen_at, last_run_id) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (page_id, list_url) DO UPDATE SET page_url = excluded.page_url, last_seen_at = excluded.last_seen_at, last_run_id = excluded.last_run_id`),
    insertEvent: db.prepare(`INSERT INTO events (run_id, kind, site_id, page_id, url, at, capture_id, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    knownUrls: db.prepare(`SELECT url FROM pages WHERE site_id = ? AND kind = ?`),
    upsertSite: db.prepare(`INSERT INTO sites (id, name, home, source, first_run_id, last_run_id) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, home = excluded.home, source = excluded.source, last_run_id = excluded.last_run_id`),
    beginRun: db.prepare(`INSERT INTO runs (started_at, command, holder) VALUES (?, ?, ?)`),
    finishRun: db.prepare(`UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?`),
  };
}
