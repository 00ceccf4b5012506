import { PreparedStatements, type Db, type Statement } from './db.js';
import type { CaptureRecord, PageRecord } from './rows.js';

/** A posting as change and deletion detection sees it: its whole row. */
export type WatchedPage = PageRecord;
export type CaptureHead = Omit<CaptureRecord, 'text'>;

export interface CheckRow {
  runId: number;
  pageId: number;
  at: string;
  fetchId?: number;
  captureId?: number;
  outcome: string;
  reason?: string;
  status?: number;
  finalUrl?: string;
  controls: object;
  counted: boolean;
  detail?: string;
}

/** Reads and writes of change and deletion detection. */
export class WatchStore {
  private readonly prepared: PreparedStatements;

  constructor(private readonly db: Db) {
    this.prepared = PreparedStatements.of(db);
  }

  private stmt(sql: string): Statement {
    return this.prepared.get(sql);
  }

  /** Known postings of a site, with what the revisit policy needs to judge which are due. */
  postingsToCheck(siteId: string): (WatchedPage & { changed_at: string | null; has_hits: number })[] {
    return this.stmt(
      `SELECT p.*, c.at AS changed_at, EXISTS (SELECT 1 FROM term_hits h WHERE h.capture_id = p.last_capture_id) AS has_hits
       FROM pages p LEFT JOIN captures c ON c.id = p.last_capture_id WHERE p.site_id = ? AND p.kind = 'posting' ORDER BY p.id`,
    ).all(siteId) as (WatchedPage & { changed_at: string | null; has_hits: number })[];
  }

  pageByUrl(url: string): WatchedPage | undefined {
    return this.stmt(`SELECT * FROM pages WHERE url = ?`).get(url) as WatchedPage | undefined;
  }

  capture(id: number): CaptureRecord | undefined {
    return this.stmt(`SELECT * FROM captures WHERE id = ?`).get(id) as CaptureRecord | undefined;
  }

  /** A capture without its text: what a check compares before it knows it must read the page. */
  captureHead(id: number): CaptureHead | undefined {
    return this.stmt(
      `SELECT id, page_id, fetch_id, run_id, at, final_url, status, body_sha256, body_size, content_type, charset, charset_note, title, published,
        date_source, text_sha256, compare_sha256, text_chars, etag, last_modified, problems FROM captures WHERE id = ?`,
    ).get(id) as CaptureHead | undefined;
  }

  /** The newest capture of a page that answered normally (a soft-404 answer is a check, not a capture). */
  lastCapture(pageId: number): CaptureRecord | undefined {
    return this.stmt(`SELECT * FROM captures WHERE page_id = ? ORDER BY id DESC LIMIT 1`).get(pageId) as CaptureRecord | undefined;
  }

  /** Term hits of a posting's attachments, as their newest captures have them. */
  attachmentHits(postingId: number): { name: string | null; term: string; count: number; snippet: string; forms: string; places: string | null }[] {
    return this.stmt(
      `SELECT l.name, h.term, h.count, h.snippet, h.forms, h.places FROM attachment_links l JOIN pages a ON a.id = l.attachment_id
       JOIN term_hits h ON h.capture_id = a.last_capture_id WHERE l.posting_id = ? ORDER BY l.attachment_id, h.term`,
    ).all(postingId) as { name: string | null; term: string; count: number; snippet: string; forms: string; places: string | null }[];
  }

  /** The attachments a posting links that were captured, with the link's name. */
  attachmentsOf(postingId: number): (WatchedPage & { link_name: string | null; changed_at: string | null; has_hits: number })[] {
    return this.stmt(
      `SELECT a.*, l.name AS link_name, c.at AS changed_at, EXISTS (SELECT 1 FROM term_hits h WHERE h.capture_id = a.last_capture_id) AS has_hits
       FROM attachment_links l JOIN pages a ON a.id = l.attachment_id JOIN captures c ON c.id = a.last_capture_id WHERE l.posting_id = ? ORDER BY a.id`,
    ).all(postingId) as (WatchedPage & { link_name: string | null; changed_at: string | null; has_hits: number })[];
  }

  /** Files the posting links that could not be fetched, with how often and when last tried. */
  failedAttachments(postingId: number): { url: string; name: string | null; failures: number; last_tried_at: string; reason: string | null }[] {
    return this.stmt(`SELECT url, name, failures, last_tried_at, reason FROM attachment_failures WHERE posting_id = ? ORDER BY url`).all(postingId) as {
      url: string;
      name: string | null;
      failures: number;
      last_tried_at: string;
      reason: string | null;
    }[];
  }

  /** Where a capture's text came from (a document's pages, a workbook's rows), as the reader gave it. */
  segmentsOf(captureId: number): string | undefined {
    return (this.stmt(`SELECT segments FROM text_places WHERE capture_id = ?`).get(captureId) as { segments: string } | undefined)?.segments;
  }

  hitsOf(captureId: number): { term: string; count: number; snippet: string }[] {
    return this.stmt(`SELECT term, count, snippet FROM term_hits WHERE capture_id = ?`).all(captureId) as { term: string; count: number; snippet: string }[];
  }

  insertCheck(c: CheckRow): number {
    return Number(
      this.stmt(`INSERT INTO checks (run_id, page_id, at, fetch_id, capture_id, outcome, reason, status, final_url, controls, counted, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`)
        .run(c.runId, c.pageId, c.at, c.fetchId ?? null, c.captureId ?? null, c.outcome, c.reason ?? null, c.status ?? null, c.finalUrl ?? null, JSON.stringify(c.controls), c.counted ? 1 : 0, c.detail ?? null).lastInsertRowid,
    );
  }

  updateWatch(pageId: number, w: { reported: string | null; failReason: string | null; failCount: number; failSince: string | null }, at: string, reportedNow: boolean): void {
    this.stmt(`UPDATE pages SET reported = ?, reported_at = CASE WHEN ? THEN ? ELSE reported_at END, fail_reason = ?, fail_count = ?, fail_since = ?, last_checked_at = ? WHERE id = ?`)
      .run(w.reported, reportedNow ? 1 : 0, at, w.failReason, w.failCount, w.failSince, at, pageId);
  }

  setDelisted(pageId: number, at: string | null): void {
    this.stmt(`UPDATE pages SET delisted_at = ? WHERE id = ?`).run(at, pageId);
  }

  /** Postings once seen on the list whose first page is `listRoot`, and when they were last seen there. */
  listedOn(listRoot: string): { page_id: number; url: string; last_run_id: number; last_seen_at: string; delisted_at: string | null }[] {
    return this.stmt(`SELECT l.page_id, p.url, l.last_run_id, l.last_seen_at, p.delisted_at FROM listings l JOIN pages p ON p.id = l.page_id WHERE l.list_url = ?`)
      .all(listRoot) as { page_id: number; url: string; last_run_id: number; last_seen_at: string; delisted_at: string | null }[];
  }

  siteReported(siteId: string): string | null {
    return ((this.stmt(`SELECT reported FROM sites WHERE id = ?`).get(siteId) as { reported: string | null } | undefined)?.reported) ?? null;
  }

  setSiteReported(siteId: string, reported: string | null, at: string): void {
    this.stmt(`UPDATE sites SET reported = ?, reported_at = ? WHERE id = ?`).run(reported, at, siteId);
  }

  /** Another posting of the site that last answered normally, to serve as the live sibling. */
  liveSibling(siteId: string, notUrls: ReadonlySet<string>): string | undefined {
    const rows = this.stmt(`SELECT url FROM pages WHERE site_id = ? AND kind = 'posting' AND reported IS NULL AND last_capture_id IS NOT NULL ORDER BY coalesce(last_checked_at, last_seen_at) DESC LIMIT 20`)
      .all(siteId) as { url: string }[];
    return rows.map((r) => r.url).find((u) => !notUrls.has(u));
  }
}
