import type { Db } from './db.js';
import type { CaptureRecord, PageRecord, RenderingRecord, SiteRecord, TermHitRecord } from './rows.js';

// What an alert mail shows of the page its event is about.

export type AlertPage = Pick<PageRecord, 'id' | 'url' | 'title' | 'published' | 'last_capture_id'>;

export function alertPage(db: Db, pageId: number): AlertPage | undefined {
  return db.prepare(`SELECT id, url, title, published, last_capture_id FROM pages WHERE id = ?`).get(pageId) as AlertPage | undefined;
}

export function siteName(db: Db, siteId: string): string | undefined {
  return (db.prepare(`SELECT name FROM sites WHERE id = ?`).get(siteId) as Pick<SiteRecord, 'name'> | undefined)?.name;
}

export function captureStamp(db: Db, captureId: number): Pick<CaptureRecord, 'at' | 'body_sha256'> | undefined {
  return db.prepare(`SELECT at, body_sha256 FROM captures WHERE id = ?`).get(captureId) as Pick<CaptureRecord, 'at' | 'body_sha256'> | undefined;
}

/** A capture's term hits, most frequent first. */
export function captureHits(db: Db, captureId: number): Pick<TermHitRecord, 'term' | 'count' | 'snippet'>[] {
  return db.prepare(`SELECT term, count, snippet FROM term_hits WHERE capture_id = ? ORDER BY count DESC`).all(captureId) as Pick<TermHitRecord, 'term' | 'count' | 'snippet'>[];
}

/** The newest screenshot of a capture, if any was made. */
export function lastScreenshot(db: Db, captureId: number): string | undefined {
  return (db.prepare(`SELECT png_sha256 FROM renderings WHERE capture_id = ? AND png_sha256 IS NOT NULL ORDER BY id DESC LIMIT 1`).get(captureId) as { png_sha256: NonNullable<RenderingRecord['png_sha256']> } | undefined)?.png_sha256;
}
