import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Db } from '../store/db.js';
import { CUSTODY_COLUMNS, GENESIS, recordSql } from '../store/custody.js';
import { fileSha256 } from '../store/warc-writer.js';
import { listFiles } from './files.js';
import { parseRecord, readSlice } from './warc-record.js';

/** Something in the store that is not as it was written. `path` names the file (or log row). */
export interface Finding {
  path: string;
  problem: string;
}

export interface StoreVerification {
  problems: Finding[];
  /** not proof of tampering, but worth knowing (a run interrupted before its WARC was sealed) */
  notes: Finding[];
  counts: { logEntries: number; rows: number; blobs: number; warcFiles: number; records: number };
  /** the custody log's last hash: what a bundle's time-stamp pins */
  head: string;
}

/** Re-hashes the whole data directory: the custody log, every row it covers, every blob, every WARC file. */
export function verifyStore(dataDir: string, db: Db): StoreVerification {
  const problems: Finding[] = [];
  const notes: Finding[] = [];
  const counts = { logEntries: 0, rows: 0, blobs: 0, warcFiles: 0, records: 0 };
  const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

  // 1. the log: each entry's hash, its link to the one before, and the row it stands for
  let prev = GENESIS;
  const logged = new Map<string, Set<number>>(Object.keys(CUSTODY_COLUMNS).map((t) => [t, new Set<number>()]));
  const rowOf = new Map(Object.keys(CUSTODY_COLUMNS).map((t) => [t, db.prepare(`SELECT ${recordSql(t, t)} AS r FROM ${t} WHERE id = ?`)]));
  for (const e of db.prepare(`SELECT seq, tbl, row_id, record, prev, hash FROM custody ORDER BY seq`).iterate() as Iterable<{ seq: number; tbl: string; row_id: number; record: string; prev: string; hash: string }>) {
    counts.logEntries++;
    const where = `xjwatch.db custody #${e.seq} (${e.tbl} ${e.row_id})`;
    if (e.prev !== prev) problems.push({ path: where, problem: `the chain is broken: it follows ${e.prev.slice(0, 16)}…, the entry before ends ${prev.slice(0, 16)}…` });
    if (sha(`${e.prev}\n${e.record}`) !== e.hash) problems.push({ path: where, problem: 'the entry does not hash to its recorded hash' });
    prev = e.hash;
    const stmt = rowOf.get(e.tbl);
    if (!stmt) {
      problems.push({ path: where, problem: `unknown table ${e.tbl}` });
      continue;
    }
    logged.get(e.tbl)!.add(e.row_id);
    const now = (stmt.get(e.row_id) as { r: string } | undefined)?.r;
    if (now === undefined) problems.push({ path: where, problem: `the ${e.tbl} row was deleted` });
    else if (now !== e.record) problems.push({ path: where, problem: `the ${e.tbl} row was changed after it was logged` });
  }
  for (const t of Object.keys(CUSTODY_COLUMNS)) {
    for (const { id } of db.prepare(`SELECT id FROM ${t}`).iterate() as Iterable<{ id: number }>) {
      counts.rows++;
      if (!logged.get(t)!.has(id)) problems.push({ path: `xjwatch.db ${t} ${id}`, problem: 'a row that is not in the custody log (inserted behind xjwatch\'s back)' });
    }
  }
  for (const c of db.prepare(`SELECT id, text, text_sha256 FROM captures WHERE text_sha256 IS NOT NULL`).iterate() as Iterable<{ id: number; text: string | null; text_sha256: string }>) {
    if (c.text === null) problems.push({ path: `xjwatch.db captures ${c.id}`, problem: 'the extracted text was removed' });
    else if (sha(c.text) !== c.text_sha256) problems.push({ path: `xjwatch.db captures ${c.id}`, problem: 'the extracted text no longer matches its SHA-256' });
  }
  // the log as bundles made from this store saw it: a rewritten chain no longer ends where they pinned it
  const headAt = db.prepare(`SELECT hash FROM custody WHERE seq = ?`);
  const evidenceDir = join(dataDir, 'evidence');
  for (const b of existsSync(evidenceDir) ? readdirSync(evidenceDir) : []) {
    const m = join(evidenceDir, b, 'manifest.json');
    if (!existsSync(m)) continue;
    try {
      const pinned = (JSON.parse(readFileSync(m, 'utf8')) as { custody_head?: { seq: number; hash: string } | null }).custody_head;
      if (!pinned) continue;
      const now = (headAt.get(pinned.seq) as { hash: string } | undefined)?.hash;
      if (now !== pinned.hash) problems.push({ path: `xjwatch.db custody #${pinned.seq}`, problem: `the log no longer holds the entry the bundle evidence/${b} pinned (${pinned.hash.slice(0, 16)}…): it was rewritten` });
    } catch {
      notes.push({ path: `evidence/${b}/manifest.json`, problem: 'unreadable: its pinned log head was not compared' });
    }
  }

  // 2. blobs: each file's name is the SHA-256 of its bytes, and every body the catalogue names is there
  const blobRoot = join(dataDir, 'blobs', 'sha256');
  const present = new Set<string>();
  for (const p of existsSync(blobRoot) ? listFiles(blobRoot).map((f) => join(blobRoot, f)) : []) {
    if (p.includes('.tmp-')) continue;
    counts.blobs++;
    const name = p.slice(p.lastIndexOf('/') + 1);
    present.add(name);
    if (sha(readFileSync(p)) !== name) problems.push({ path: relative(dataDir, p), problem: 'its bytes no longer hash to its name' });
  }
  const wanted = db.prepare(`SELECT body_sha256 AS s FROM fetches WHERE body_sha256 IS NOT NULL UNION SELECT png_sha256 FROM renderings WHERE png_sha256 IS NOT NULL UNION SELECT pdf_sha256 FROM renderings WHERE pdf_sha256 IS NOT NULL`).all() as { s: string }[];
  for (const { s } of wanted) if (!present.has(s)) problems.push({ path: relative(dataDir, join(blobRoot, s.slice(0, 2), s.slice(2, 4), s)), problem: 'missing' });

  // 3. WARC files: sealed ones by their whole-file hash; the records of any that fail or were never sealed, one by one
  const sealed = new Map((db.prepare(`SELECT file, sha256, size FROM warc_files`).all() as { file: string; sha256: string; size: number }[]).map((r) => [r.file, r]));
  const files = new Set([...sealed.keys(), ...(db.prepare(`SELECT DISTINCT warc_file AS f FROM fetches`).all() as { f: string }[]).map((r) => r.f)]);
  for (const file of files) {
    const path = join(dataDir, file);
    counts.warcFiles++;
    if (!existsSync(path)) {
      problems.push({ path: file, problem: 'missing' });
      continue;
    }
    const seal = sealed.get(file);
    if (seal) {
      const now = fileSha256(path);
      if (now.sha256 === seal.sha256 && now.size === seal.size) continue;
      problems.push({ path: file, problem: `altered: SHA-256 ${now.sha256} (${now.size} bytes), sealed as ${seal.sha256} (${seal.size} bytes)` });
    } else notes.push({ path: file, problem: 'never sealed (its run was interrupted); its records are checked one by one' });
    const size = statSync(path).size;
    const rows = db.prepare(`SELECT id, url, body_sha256, warc_offset, warc_length, request_offset, request_length FROM fetches WHERE warc_file = ? ORDER BY warc_offset`).all(file) as { id: number; url: string; body_sha256: string | null; warc_offset: number; warc_length: number; request_offset: number | null; request_length: number | null }[];
    for (const r of rows) {
      for (const [offset, length, main] of [[r.warc_offset, r.warc_length, true], [r.request_offset, r.request_length, false]] as const) {
        if (offset === null || length === null) continue;
        counts.records++;
        const at = `${file} @${offset}`;
        if (offset + length > size) {
          problems.push({ path: at, problem: `record of fetch ${r.id} (${r.url}) runs past the end of the file` });
          continue;
        }
        const rec = parseRecord(readSlice(path, offset, length));
        if (rec.problem) problems.push({ path: at, problem: `record of fetch ${r.id} (${r.url}): ${rec.problem}` });
        else if (main && r.body_sha256 && rec.headers.get('warc-type') === 'response' && rec.headers.get('warc-payload-digest') !== `sha256:${r.body_sha256}`) {
          problems.push({ path: at, problem: `record of fetch ${r.id} (${r.url}) holds a different body from the one catalogued` });
        }
      }
    }
  }
  const warcRoot = join(dataDir, 'warc');
  for (const f of existsSync(warcRoot) ? listFiles(warcRoot) : []) {
    const rel = `warc/${f}`;
    if (!files.has(rel)) notes.push({ path: rel, problem: 'a WARC file the catalogue does not know' });
  }
  return { problems, notes, counts, head: prev };
}
