import type { Db } from './db.js';
import type { CaptureRecord, RenderingRecord } from './rows.js';

/** A kept capture's body and its type: what a rendering shows in place of the live site. */
export function captureBody(db: Db, captureId: number): Pick<CaptureRecord, 'body_sha256' | 'content_type'> | undefined {
  return db.prepare(`SELECT body_sha256, content_type FROM captures WHERE id = ?`).get(captureId) as Pick<CaptureRecord, 'body_sha256' | 'content_type'> | undefined;
}

export function insertRendering(db: Db, r: Omit<RenderingRecord, 'id'>): void {
  db.prepare(`INSERT INTO renderings (page_id, capture_id, run_id, at, what, png_sha256, pdf_sha256, problem) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(r.page_id, r.capture_id, r.run_id, r.at, r.what, r.png_sha256, r.pdf_sha256, r.problem);
}
