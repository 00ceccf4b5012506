import type { Db } from './db.js';
import { dialectOf, pgJsonArray } from './dialect.js';
import type { EventRow } from './queries.js';
import type { CaptureRecord, CheckRecord, FetchRecord, PageRecord } from './rows.js';

/** What the timeline may be narrowed to; `before` is the id of the last row of the page before (newest first). */
export interface TimelineFilter {
  site?: string;
  kind?: string;
  pageId?: number;
  /** any of these terms among the event's terms (or those that appeared) */
  terms?: string[];
  since?: string;
  until?: string;
  attachment?: boolean;
  before?: number;
  limit: number;
}

export type TimelineRow = EventRow & { page_id: number | null };

/**
 * Events newest first, a page at a time (keyset: ids below `before`), so that the hundredth page
 * of a large catalogue costs what the first does.
 */
export function timeline(db: Db, f: TimelineFilter): { rows: TimelineRow[]; more: boolean } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...p: unknown[]) => (where.push(sql), params.push(...p));
  if (f.site) add('e.site_id = ?', f.site);
  if (f.kind) add('e.kind = ?', f.kind);
  if (f.pageId) add('e.page_id = ?', f.pageId);
  if (f.since) add('e.at >= ?', f.since);
  if (f.until) add('e.at < ?', f.until);
  if (f.before) add('e.id < ?', f.before);
  const pg = dialectOf(db) === 'pg';
  if (f.attachment) {
    add(
      pg
        ? `(coalesce(json_typeof(e.body::json -> 'attachment'), 'null') <> 'null' OR EXISTS (SELECT 1 FROM ${pgJsonArray("e.body::json -> 'attachments'")}) OR EXISTS (SELECT 1 FROM ${pgJsonArray("e.body::json -> 'attachments_added'")}))`
        : `(json_extract(e.body, '$.attachment') IS NOT NULL OR json_array_length(e.body, '$.attachments') > 0 OR json_array_length(e.body, '$.attachments_added') > 0)`,
    );
  }
  if (f.terms?.length) {
    const marks = f.terms.map(() => '?').join(', ');
    add(
      pg
        ? `(EXISTS (SELECT 1 FROM ${pgJsonArray("e.body::json -> 'terms'")} j WHERE j.value ->> 'term' IN (${marks}))
        OR EXISTS (SELECT 1 FROM ${pgJsonArray("e.body::json -> 'terms_appeared'", 'text')} j WHERE j.value IN (${marks})))`
        : `(EXISTS (SELECT 1 FROM json_each(e.body, '$.terms') j WHERE json_extract(j.value, '$.term') IN (${marks}))
        OR EXISTS (SELECT 1 FROM json_each(e.body, '$.terms_appeared') j WHERE j.value IN (${marks})))`,
      ...f.terms,
      ...f.terms,
    );
  }
  const rows = db
    .prepare(`SELECT e.id, e.kind, e.site_id, e.url, e.at, e.body, e.page_id FROM events e ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.id DESC LIMIT ?`)
    .all(...params, f.limit + 1) as TimelineRow[];
  return { rows: rows.slice(0, f.limit), more: rows.length > f.limit };
}

export type PageView = Pick<PageRecord, 'id' | 'url' | 'site_id' | 'kind' | 'parent_id' | 'first_seen_at' | 'last_seen_at' | 'state' | 'state_since' | 'title' | 'published' | 'reported' | 'reported_at' | 'fail_reason' | 'fail_count' | 'fail_since' | 'delisted_at' | 'last_checked_at' | 'last_capture_id'> & {
  site_name: string;
  parent_url: string | null;
};

const PAGE_COLUMNS = `p.id, p.url, p.site_id, p.kind, p.parent_id, p.first_seen_at, p.last_seen_at, p.state, p.state_since, p.title, p.published, p.reported, p.reported_at,
  p.fail_reason, p.fail_count, p.fail_since, p.delisted_at, p.last_checked_at, p.last_capture_id, s.name AS site_name, (SELECT url FROM pages WHERE id = p.parent_id) AS parent_url`;

export function pageById(db: Db, id: number): PageView | undefined {
  return db.prepare(`SELECT ${PAGE_COLUMNS} FROM pages p JOIN sites s ON s.id = p.site_id WHERE p.id = ?`).get(id) as PageView | undefined;
}

export function pageIdOf(db: Db, url: string): number | undefined {
  return (db.prepare(`SELECT id FROM pages WHERE url = ?`).get(url) as { id: number } | undefined)?.id;
}

/** A site's postings, newest first by publication, a page at a time (offset: a site has thousands, not millions). */
export function postingsOfSite(db: Db, site: string, limit: number, offset: number): PageView[] {
  return db
    .prepare(`SELECT ${PAGE_COLUMNS} FROM pages p JOIN sites s ON s.id = p.site_id WHERE p.site_id = ? AND p.kind = 'posting' ORDER BY coalesce(p.published, '') DESC, p.id DESC LIMIT ? OFFSET ?`)
    .all(site, limit, offset) as PageView[];
}

export type CheckView = Pick<CheckRecord, 'id' | 'run_id' | 'at' | 'fetch_id' | 'capture_id' | 'outcome' | 'reason' | 'status' | 'final_url' | 'controls' | 'counted' | 'detail'> & { ip: string | null; sha256: string | null };

/** Every recheck of a page, oldest first, with what its URL answered. */
export function checksOf(db: Db, pageId: number): CheckView[] {
  return db
    .prepare(
      `SELECT k.id, k.run_id, k.at, k.fetch_id, k.capture_id, k.outcome, k.reason, k.status, k.final_url, k.controls, k.counted, k.detail, f.ip, f.body_sha256 AS sha256
       FROM checks k LEFT JOIN fetches f ON f.id = k.fetch_id WHERE k.page_id = ? ORDER BY k.id`,
    )
    .all(pageId) as CheckView[];
}

/** A capture with its page: what the replay serves and what it is said to be. */
export type CaptureView = Pick<CaptureRecord, 'id' | 'page_id' | 'at' | 'final_url' | 'status' | 'body_sha256' | 'body_size' | 'content_type' | 'charset'> &
  Pick<FetchRecord, 'ip' | 'warc_file' | 'warc_offset' | 'warc_length'> & { url: string };

export function captureById(db: Db, id: number): CaptureView | undefined {
  return db
    .prepare(
      `SELECT c.id, c.page_id, p.url, c.at, c.final_url, c.status, c.body_sha256, c.body_size, c.content_type, c.charset, f.ip, f.warc_file, f.warc_offset, f.warc_length
       FROM captures c JOIN pages p ON p.id = c.page_id JOIN fetches f ON f.id = c.fetch_id WHERE c.id = ?`,
    )
    .get(id) as CaptureView | undefined;
}

/** Whether a blob is one of the catalogue's pictures (only those are served as images). */
export function isRendering(db: Db, sha256: string, as: 'png' | 'pdf'): boolean {
  return Boolean(db.prepare(`SELECT 1 FROM renderings WHERE ${as === 'png' ? 'png_sha256' : 'pdf_sha256'} = ? LIMIT 1`).get(sha256));
}

/** Counts for the overview's heading. */
export function catalogueCounts(db: Db): { postings: number; attachments: number; captures: number; events: number } {
  return db
    .prepare(
      `SELECT (SELECT count(*) FROM pages WHERE kind = 'posting') AS postings, (SELECT count(*) FROM pages WHERE kind = 'attachment') AS attachments,
              (SELECT count(*) FROM captures) AS captures, (SELECT count(*) FROM events) AS events`,
    )
    .get() as { postings: number; attachments: number; captures: number; events: number };
}

/** Pages whose last reported happening is `reported` (suspected_deletion, deleted), the latest first. */
export function pagesReported(db: Db, reported: 'suspected_deletion' | 'deleted', limit: number): PageView[] {
  return db
    .prepare(`SELECT ${PAGE_COLUMNS} FROM pages p JOIN sites s ON s.id = p.site_id WHERE p.reported = ? ORDER BY p.reported_at DESC, p.id DESC LIMIT ?`)
    .all(reported, limit) as PageView[];
}

/** The catalogue's site ids, for the view's filters (cheap: not the status report). */
export function siteIds(db: Db): string[] {
  return (db.prepare(`SELECT id FROM sites ORDER BY id`).all() as { id: string }[]).map((r) => r.id);
}
