import type { Db } from './db.js';
import { CUSTODY_COLUMNS, recordSql } from './custody.js';
import { dialectOf } from './dialect.js';
import type { CaptureRecord, CustodyRecord, FetchRecord, WarcFileRecord } from './rows.js';

// What `verify --data-dir` re-hashes: the custody log, the rows it covers, the blobs and WARC files named.

/** The whole custody log, oldest first. */
export function custodyLog(db: Db): Iterable<CustodyRecord> {
  return db.prepare(`SELECT seq, tbl, row_id, record, prev, hash FROM custody ORDER BY seq`).iterate() as Iterable<CustodyRecord>;
}

/** A logged row's canonical JSON as it stands now, re-derived as the log's trigger derived it; undefined once deleted, or for a table the log does not cover. */
export function rowRecordOf(db: Db): { covers: (table: string) => boolean; record: (table: string, id: number) => string | undefined } {
  const stmts = new Map(Object.keys(CUSTODY_COLUMNS).map((t) => [t, db.prepare(`SELECT ${recordSql(t, t, dialectOf(db))} AS r FROM ${t} WHERE id = ?`)]));
  return {
    covers: (table) => stmts.has(table),
    record: (table, id) => (stmts.get(table)?.get(id) as { r: string } | undefined)?.r,
  };
}

/** Every row of every table the log covers, table by table. */
export function* loggedTableRows(db: Db): Iterable<{ table: string; id: number }> {
  for (const table of Object.keys(CUSTODY_COLUMNS)) {
    for (const { id } of db.prepare(`SELECT id FROM ${table}`).iterate() as Iterable<{ id: number }>) yield { table, id };
  }
}

/** Captures whose extracted text has a recorded hash (the log covers the hash, not the text). */
export function hashedTexts(db: Db): Iterable<Pick<CaptureRecord, 'id' | 'text'> & { text_sha256: string }> {
  return db.prepare(`SELECT id, text, text_sha256 FROM captures WHERE text_sha256 IS NOT NULL`).iterate() as Iterable<Pick<CaptureRecord, 'id' | 'text'> & { text_sha256: string }>;
}

/** The hash of the log entry at `seq` now (what a bundle pinned there). */
export function custodyHashAt(db: Db): (seq: number) => string | undefined {
  const stmt = db.prepare(`SELECT hash FROM custody WHERE seq = ?`);
  return (seq) => (stmt.get(seq) as { hash: string } | undefined)?.hash;
}

/** Every blob the catalogue names: fetched bodies, screenshots, PDF prints, bundles' .zip files. */
export function namedBlobs(db: Db): string[] {
  return (
    db.prepare(`SELECT body_sha256 AS s FROM fetches WHERE body_sha256 IS NOT NULL UNION SELECT png_sha256 FROM renderings WHERE png_sha256 IS NOT NULL UNION SELECT pdf_sha256 FROM renderings WHERE pdf_sha256 IS NOT NULL UNION SELECT zip_sha256 FROM bundles`).all() as { s: string }[]
  ).map((r) => r.s);
}

export function warcSeals(db: Db): Pick<WarcFileRecord, 'file' | 'sha256' | 'size'>[] {
  return db.prepare(`SELECT file, sha256, size FROM warc_files`).all() as Pick<WarcFileRecord, 'file' | 'sha256' | 'size'>[];
}

/** The WARC files fetches were written to (sealed or not). */
export function warcFilesOfFetches(db: Db): string[] {
  return (db.prepare(`SELECT DISTINCT warc_file AS f FROM fetches`).all() as { f: string }[]).map((r) => r.f);
}

export type WarcPlace = Pick<FetchRecord, 'id' | 'url' | 'body_sha256' | 'warc_offset' | 'warc_length' | 'request_offset' | 'request_length'>;

/** The fetches recorded in one WARC file, in file order. */
export function fetchesInWarc(db: Db, file: string): WarcPlace[] {
  return db.prepare(`SELECT id, url, body_sha256, warc_offset, warc_length, request_offset, request_length FROM fetches WHERE warc_file = ? ORDER BY warc_offset`).all(file) as WarcPlace[];
}
