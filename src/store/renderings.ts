import type { Db } from './db.js';
import type { CaptureRecord, FetchRecord, RenderingRecord } from './rows.js';

export type CaptureForPicture = Pick<CaptureRecord, 'body_sha256' | 'content_type' | 'charset' | 'final_url' | 'run_id' | 'at'>;

/** A kept capture's body and its type: what a rendering shows in place of the live site. */
export function captureBody(db: Db, captureId: number): CaptureForPicture | undefined {
  return db.prepare(`SELECT body_sha256, content_type, charset, final_url, run_id, at FROM captures WHERE id = ?`).get(captureId) as CaptureForPicture | undefined;
}

export function insertRendering(db: Db, r: Omit<RenderingRecord, 'id'>): void {
  db.prepare(`INSERT INTO renderings (page_id, capture_id, run_id, at, what, png_sha256, pdf_sha256, problem) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(r.page_id, r.capture_id, r.run_id, r.at, r.what, r.png_sha256, r.pdf_sha256, r.problem);
}

/** Ties a recorded exchange to the captures it is a requisite of (once per capture and URL). */
export function insertRequisites(db: Db, captureIds: number[], url: string, fetchId: number): void {
  const add = db.prepare(`INSERT OR IGNORE INTO requisites (capture_id, url, fetch_id) VALUES (?, ?, ?)`);
  db.transaction(() => {
    for (const id of captureIds) add.run(id, url, fetchId);
  })();
}

export type RecordedRequisite = { url: string } & Pick<FetchRecord, 'id' | 'run_id' | 'at' | 'status' | 'content_type' | 'body_sha256' | 'truncated'>;

/** The requisites recorded with a capture: what its replay may serve. */
export function requisitesOf(db: Db, captureId: number): RecordedRequisite[] {
  return db
    .prepare(
      `SELECT r.url, f.id, f.run_id, f.at, f.status, f.content_type, f.body_sha256, f.truncated FROM requisites r JOIN fetches f ON f.id = r.fetch_id
       WHERE r.capture_id = ? ORDER BY r.url`,
    )
    .all(captureId) as RecordedRequisite[];
}

/** The capture a page had before `captureId`, when no picture was made of it (the version an edit replaced, pictured late). */
export function unpicturedBefore(db: Db, pageId: number, captureId: number): number | undefined {
  const row = db
    .prepare(
      `SELECT c.id FROM captures c WHERE c.page_id = ? AND c.id < ? AND NOT EXISTS (SELECT 1 FROM renderings r WHERE r.capture_id = c.id AND r.what = 'capture')
         AND c.id = (SELECT max(id) FROM captures WHERE page_id = ? AND id < ?)`,
    )
    .get(pageId, captureId, pageId, captureId) as { id: number } | undefined;
  return row?.id;
}
