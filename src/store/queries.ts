import type { Db } from './db.js';
import { dialectOf } from './dialect.js';
import { isIndexedForm } from './short-forms.js';
import type { CheckRecord, EventRecord, PageRecord, RenderingRecord } from './rows.js';

export type EventRow = Pick<EventRecord, 'id' | 'kind' | 'site_id' | 'url' | 'at' | 'body'>;

export function listEvents(db: Db, f: { since?: string; kind?: string; site?: string }): EventRow[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.since) {
    where.push('at >= ?');
    params.push(f.since);
  }
  if (f.kind) {
    where.push('kind = ?');
    params.push(f.kind);
  }
  if (f.site) {
    where.push('site_id = ?');
    params.push(f.site);
  }
  return db.prepare(`SELECT id, kind, site_id, url, at, body FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`).all(...params) as EventRow[];
}

export interface HistoryRow {
  type: 'capture' | 'fetch';
  at: string;
  url: string;
  final_url: string | null;
  status: number | null;
  sha256: string | null;
  size: number | null;
  ip: string | null;
  title: string | null;
  published: string | null;
  error_kind: string | null;
  error: string | null;
  warc_file: string;
  warc_offset: number;
  warc_length: number;
  capture_id: number | null;
  fetch_id: number;
  purpose: string | null;
  via: string;
  check_outcome: string | null;
  check_reason: string | null;
  check_detail: string | null;
  check_controls: string | null;
  /** a third-party capture (schema step 7): the archive, its replay URL, when it saw the page, its digest */
  archive: string | null;
  archive_url: string | null;
  archived_at: string | null;
  archive_digest: string | null;
}

/**
 * Everything known about a URL, oldest first: each capture (with its body's SHA-256), and every
 * fetch of it that produced no capture (failures, redirects hops, refused attachments).
 */
export function history(db: Db, url: string): HistoryRow[] {
  return db
    .prepare(
      `SELECT CASE WHEN c.id IS NULL THEN 'fetch' ELSE 'capture' END AS type, f.at, f.url, c.final_url, f.status,
              coalesce(c.body_sha256, f.body_sha256) AS sha256, f.body_size AS size, f.ip, c.title, c.published,
              f.error_kind, f.error, f.warc_file, f.warc_offset, f.warc_length, c.id AS capture_id, f.id AS fetch_id, f.purpose, f.via,
              k.outcome AS check_outcome, k.reason AS check_reason, k.detail AS check_detail, k.controls AS check_controls,
              pc.archive, pc.archive_url, pc.archived_at, pc.digest AS archive_digest
       FROM fetches f LEFT JOIN captures c ON c.fetch_id = f.id LEFT JOIN checks k ON k.fetch_id = f.id LEFT JOIN prior_captures pc ON pc.capture_id = c.id
       WHERE f.url = ? OR f.task_url = ?
       ORDER BY f.id`,
    )
    .all(url, url) as HistoryRow[];
}

export interface AttachmentOf {
  url: string;
  title: string | null;
  sha256: string | null;
  /** what went wrong reading it (JSON list), as its newest capture has it */
  problems: string | null;
  capture_id: number | null;
}

export function attachmentsOf(db: Db, url: string): AttachmentOf[] {
  return db
    .prepare(
      `SELECT a.url, coalesce(l.name, a.title) AS title, c.body_sha256 AS sha256, c.problems, c.id AS capture_id FROM pages p JOIN attachment_links l ON l.posting_id = p.id
       JOIN pages a ON a.id = l.attachment_id LEFT JOIN captures c ON c.id = a.last_capture_id WHERE p.url = ? ORDER BY a.id`,
    )
    .all(url) as AttachmentOf[];
}

/** A capture's term hits with their places (an attachment's: "Sheet1!B214"), in the order they were found. */
export function hitsWithPlaces(db: Db, captureId: number): { term: string; count: number; snippet: string; places: string[] }[] {
  const rows = db.prepare(`SELECT term, count, snippet, places FROM term_hits WHERE capture_id = ? ORDER BY rowid`).all(captureId) as { term: string; count: number; snippet: string; places: string | null }[];
  return rows.map((r) => ({ ...r, places: r.places ? (JSON.parse(r.places) as string[]) : [] }));
}

export interface SearchRow {
  capture_id: number;
  url: string;
  site_id: string;
  kind: string;
  title: string | null;
  published: string | null;
  at: string;
  sha256: string;
  body: string;
  parent_url: string | null;
  /** a document's text as read and its segments (JSON), to name where in it the match is */
  text: string | null;
  segments: string | null;
}

/**
 * Full-text search over normalised captured text. The trigram index answers queries of three or
 * more characters; shorter ones (many two-character Chinese words) read the index of tracked
 * short forms (short-forms.ts) when they are one, and are a scan of the same table otherwise.
 */
export function search(db: Db, normalizedQuery: string, f: { site?: string; limit: number }): SearchRow[] {
  const q = normalizedQuery;
  const pg = dialectOf(db) === 'pg';
  const useIndex = [...q].length >= 3;
  const params: unknown[] = [];
  let where: string;
  // the newest texts first, in the order the index walks: FTS5 returns MATCH rows by rowid
  // without a sort (ordering by captures' id, the same number, sorted every match: 3× slower)
  let from = 'texts';
  let newest = 'texts.rowid';
  if (!useIndex && isIndexedForm(db, q)) {
    // a tracked short form: the texts that hold it were found as they were stored
    from = 'short_hits h JOIN texts ON texts.rowid = h.capture_id';
    newest = 'h.capture_id';
    where = 'h.form = ?';
    params.push(q);
  } else if (pg) {
    // pg_trgm's index answers ILIKE (as FTS5's trigrams, blind to ASCII case); shorter queries scan
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where = `(texts.body ILIKE ? ESCAPE '\\' OR texts.title ILIKE ? ESCAPE '\\')`;
    params.push(like, like);
  } else if (useIndex) {
    where = 'texts MATCH ?';
    params.push(`"${q.replace(/"/g, '""')}"`);
  } else {
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where = `(texts.body LIKE ? ESCAPE '\\' OR texts.title LIKE ? ESCAPE '\\')`;
    params.push(like, like);
  }
  if (f.site) {
    where += ' AND p.site_id = ?';
    params.push(f.site);
  }
  const rows = db
    .prepare(
      `SELECT c.id AS capture_id, p.url, p.site_id, p.kind, c.title,
              coalesce(c.published, (SELECT published FROM pages WHERE id = p.parent_id)) AS published, c.at, c.body_sha256 AS sha256, texts.body,
              (SELECT url FROM pages WHERE id = p.parent_id) AS parent_url,
              tp.segments, CASE WHEN tp.segments IS NULL THEN NULL ELSE c.text END AS text
       FROM ${from} JOIN captures c ON c.id = texts.rowid JOIN pages p ON p.id = c.page_id LEFT JOIN text_places tp ON tp.capture_id = c.id
       WHERE ${where} ORDER BY ${newest} DESC LIMIT 5000`,
    )
    .all(...params) as SearchRow[];
  // the newest matching capture of each page, most recently published first (an attachment
  // goes by its posting's date)
  const seen = new Set<string>();
  const out: SearchRow[] = [];
  for (const r of rows) {
    if (seen.has(r.url)) continue;
    seen.add(r.url);
    out.push(r);
  }
  out.sort((a, b) => (b.published ?? '').localeCompare(a.published ?? '') || b.capture_id - a.capture_id);
  return out.slice(0, f.limit);
}

export type RenderingRow = Pick<RenderingRecord, 'at' | 'what' | 'capture_id' | 'png_sha256' | 'pdf_sha256' | 'problem'>;

/** Screenshots and PDF prints of a URL, oldest first. */
export function renderingsOf(db: Db, url: string): RenderingRow[] {
  return db
    .prepare(`SELECT r.at, r.what, r.capture_id, r.png_sha256, r.pdf_sha256, r.problem FROM renderings r JOIN pages p ON p.id = r.page_id WHERE p.url = ? ORDER BY r.id`)
    .all(url) as RenderingRow[];
}

/** The site a known page belongs to, as the catalogue recorded it. */
export interface RequisiteRow {
  capture_id: number;
  url: string;
  at: string;
  status: number | null;
  sha256: string | null;
  size: number | null;
  warc_file: string;
  warc_offset: number;
  warc_length: number;
}

/** The stylesheets, images and fonts recorded with a page's captures for their pictures. */
export function requisitesFor(db: Db, url: string): RequisiteRow[] {
  return db
    .prepare(
      `SELECT q.capture_id, q.url, f.at, f.status, f.body_sha256 AS sha256, f.body_size AS size, f.warc_file, f.warc_offset, f.warc_length
       FROM requisites q JOIN captures c ON c.id = q.capture_id JOIN pages p ON p.id = c.page_id JOIN fetches f ON f.id = q.fetch_id
       WHERE p.url = ? ORDER BY q.capture_id, q.url`,
    )
    .all(url) as RequisiteRow[];
}

export function siteOfPage(db: Db, url: string): { site_id: string; name: string; home: string } | undefined {
  return db.prepare(`SELECT p.site_id, s.name, s.home FROM pages p JOIN sites s ON s.id = p.site_id WHERE p.url = ?`).get(url) as { site_id: string; name: string; home: string } | undefined;
}

export type CheckVerdict = Pick<CheckRecord, 'outcome' | 'reason' | 'status' | 'detail' | 'counted'> & Pick<PageRecord, 'url' | 'fail_count'>;

/** The checks a run made, in order, with how many failures in a row each page has now. */
export function checksOfRun(db: Db, runId: number): CheckVerdict[] {
  return db
    .prepare(`SELECT p.url, c.outcome, c.reason, c.status, c.detail, c.counted, p.fail_count FROM checks c JOIN pages p ON p.id = c.page_id WHERE c.run_id = ? ORDER BY c.id`)
    .all(runId) as CheckVerdict[];
}

/** The pages a run captured (a first capture, or a changed page's new one). */
export function capturedInRun(db: Db, runId: number): Set<string> {
  return new Set((db.prepare(`SELECT DISTINCT p.url FROM captures c JOIN pages p ON p.id = c.page_id WHERE c.run_id = ?`).all(runId) as { url: string }[]).map((r) => r.url));
}
