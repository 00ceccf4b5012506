import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Db } from '../store/db.js';
import { GENESIS } from '../store/custody.js';
import { custodyHashAt, custodyLog, fetchesInWarc, hashedTexts, loggedTableRows, namedBlobs, rowRecordOf, warcFilesOfFetches, warcSeals } from '../store/integrity-reads.js';
import { fileSha256 } from '../store/warc-writer.js';
import { objectStore, type ObjectStore } from '../store/objects/object-store.js';
import { localCopy } from '../store/objects/local-copy.js';
import { BlobStore } from '../store/blobs.js';
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

type Counts = StoreVerification['counts'];

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

/**
 * Re-hashes the whole data directory: the custody log, every row it covers, every blob, every WARC
 * file. In team storage the files re-hashed are the object store's (`store`), and this machine's
 * copies of them as well: a copy is what its readers serve.
 */
export function verifyStore(dataDir: string, db: Db, store: ObjectStore | undefined = objectStore()): StoreVerification {
  const problems: Finding[] = [];
  const notes: Finding[] = [];
  const counts = { logEntries: 0, rows: 0, blobs: 0, warcFiles: 0, records: 0 };
  const head = checkLog(db, problems, counts);
  checkPinnedHeads(dataDir, db, problems, notes);
  if (store) checkStoredBlobs(dataDir, db, store, problems, counts);
  else checkBlobs(dataDir, db, problems, counts);
  checkWarcFiles(dataDir, db, problems, notes, counts, store);
  return { problems, notes, counts, head };
}

/** The log: each entry's hash, its link to the one before, and the row it stands for. Returns the last hash. */
function checkLog(db: Db, problems: Finding[], counts: Counts): string {
  let prev = GENESIS;
  const rows = rowRecordOf(db);
  const logged = new Map<string, Set<number>>();
  for (const e of custodyLog(db)) {
    counts.logEntries++;
    const where = `xjwatch.db custody #${e.seq} (${e.tbl} ${e.row_id})`;
    if (e.prev !== prev) problems.push({ path: where, problem: `the chain is broken: it follows ${e.prev.slice(0, 16)}…, the entry before ends ${prev.slice(0, 16)}…` });
    if (sha(`${e.prev}\n${e.record}`) !== e.hash) problems.push({ path: where, problem: 'the entry does not hash to its recorded hash' });
    prev = e.hash;
    if (!rows.covers(e.tbl)) {
      problems.push({ path: where, problem: `unknown table ${e.tbl}` });
      continue;
    }
    logged.set(e.tbl, (logged.get(e.tbl) ?? new Set<number>()).add(e.row_id));
    const now = rows.record(e.tbl, e.row_id);
    if (now === undefined) problems.push({ path: where, problem: `the ${e.tbl} row was deleted` });
    else if (now !== e.record) problems.push({ path: where, problem: `the ${e.tbl} row was changed after it was logged` });
  }
  for (const { table, id } of loggedTableRows(db)) {
    counts.rows++;
    if (!logged.get(table)?.has(id)) problems.push({ path: `xjwatch.db ${table} ${id}`, problem: 'a row that is not in the custody log (inserted behind xjwatch\'s back)' });
  }
  for (const c of hashedTexts(db)) {
    if (c.text === null) problems.push({ path: `xjwatch.db captures ${c.id}`, problem: 'the extracted text was removed' });
    else if (sha(c.text) !== c.text_sha256) problems.push({ path: `xjwatch.db captures ${c.id}`, problem: 'the extracted text no longer matches its SHA-256' });
  }
  return prev;
}

/** The log as bundles made from this store saw it: a rewritten chain no longer ends where they pinned it. */
function checkPinnedHeads(dataDir: string, db: Db, problems: Finding[], notes: Finding[]): void {
  const hashAt = custodyHashAt(db);
  const evidenceDir = join(dataDir, 'evidence');
  for (const b of existsSync(evidenceDir) ? readdirSync(evidenceDir) : []) {
    const m = join(evidenceDir, b, 'manifest.json');
    if (!existsSync(m)) continue;
    try {
      const pinned = (JSON.parse(readFileSync(m, 'utf8')) as { custody_head?: { seq: number; hash: string } | null }).custody_head;
      if (!pinned) continue;
      if (hashAt(pinned.seq) !== pinned.hash) problems.push({ path: `xjwatch.db custody #${pinned.seq}`, problem: `the log no longer holds the entry the bundle evidence/${b} pinned (${pinned.hash.slice(0, 16)}…): it was rewritten` });
    } catch {
      notes.push({ path: `evidence/${b}/manifest.json`, problem: 'unreadable: its pinned log head was not compared' });
    }
  }
}

/** Blobs: each file's name is the SHA-256 of its bytes, and every body the catalogue names is there. */
function checkBlobs(dataDir: string, db: Db, problems: Finding[], counts: Counts): void {
  const blobRoot = join(dataDir, 'blobs', 'sha256');
  const present = new Set<string>();
  for (const p of existsSync(blobRoot) ? listFiles(blobRoot).map((f) => join(blobRoot, f)) : []) {
    if (p.includes('.tmp-')) continue;
    counts.blobs++;
    const name = p.slice(p.lastIndexOf('/') + 1);
    present.add(name);
    if (sha(readFileSync(p)) !== name) problems.push({ path: relative(dataDir, p), problem: 'its bytes no longer hash to its name' });
  }
  for (const s of namedBlobs(db)) if (!present.has(s)) problems.push({ path: relative(dataDir, join(blobRoot, s.slice(0, 2), s.slice(2, 4), s)), problem: 'missing' });
}

/**
 * Every blob the catalogue names, fetched from the object store and re-hashed against its name;
 * then this machine's copies, which must hash to their names too.
 */
function checkStoredBlobs(dataDir: string, db: Db, store: ObjectStore, problems: Finding[], counts: Counts): void {
  for (const s of namedBlobs(db)) {
    counts.blobs++;
    const now = store.hashSync(BlobStore.relOf(s));
    if (!now) problems.push({ path: `${store.key(BlobStore.relOf(s))} (object store)`, problem: 'missing' });
    else if (now.sha256 !== s) problems.push({ path: `${store.key(BlobStore.relOf(s))} (object store)`, problem: 'its bytes no longer hash to its name' });
  }
  const blobRoot = join(dataDir, 'blobs', 'sha256');
  for (const p of existsSync(blobRoot) ? listFiles(blobRoot).map((f) => join(blobRoot, f)) : []) {
    if (p.includes('.tmp-')) continue;
    if (sha(readFileSync(p)) !== p.slice(p.lastIndexOf('/') + 1)) problems.push({ path: relative(dataDir, p), problem: "this machine's copy no longer hashes to its name" });
  }
}

/** WARC files: sealed ones by their whole-file hash; the records of any that fail or were never sealed, one by one. */
function checkWarcFiles(dataDir: string, db: Db, problems: Finding[], notes: Finding[], counts: Counts, store: ObjectStore | undefined): void {
  const sealed = new Map(warcSeals(db).map((r) => [r.file, r]));
  const files = new Set([...sealed.keys(), ...warcFilesOfFetches(db)]);
  for (const file of files) {
    counts.warcFiles++;
    const seal = sealed.get(file);
    if (store) {
      const now = store.hashSync(file);
      if (!now) {
        problems.push({ path: `${store.key(file)} (object store)`, problem: seal ? 'missing' : 'missing (its run was interrupted before the file was sent; the machine that ran it sends it at its next run)' });
        continue;
      }
      if (seal && (now.sha256 !== seal.sha256 || now.size !== seal.size)) problems.push({ path: `${store.key(file)} (object store)`, problem: `altered: SHA-256 ${now.sha256} (${now.size} bytes), sealed as ${seal.sha256} (${seal.size} bytes)` });
      const copy = join(dataDir, file);
      if (seal && existsSync(copy)) {
        const mine = fileSha256(copy);
        if (mine.sha256 !== seal.sha256) problems.push({ path: file, problem: `this machine's copy is altered: SHA-256 ${mine.sha256}, sealed as ${seal.sha256}` });
      }
      if (seal && now.sha256 === seal.sha256 && now.size === seal.size) continue;
    }
    const path = store ? localCopy(dataDir, file, store) : join(dataDir, file);
    if (!existsSync(path)) {
      problems.push({ path: file, problem: 'missing' });
      continue;
    }
    if (seal && !store) {
      const now = fileSha256(path);
      if (now.sha256 === seal.sha256 && now.size === seal.size) continue;
      problems.push({ path: file, problem: `altered: SHA-256 ${now.sha256} (${now.size} bytes), sealed as ${seal.sha256} (${seal.size} bytes)` });
    } else if (!seal) notes.push({ path: file, problem: 'never sealed (its run was interrupted); its records are checked one by one' });
    checkRecords(db, file, path, problems, counts);
  }
  const warcRoot = join(dataDir, 'warc');
  for (const f of existsSync(warcRoot) ? listFiles(warcRoot) : []) {
    const rel = `warc/${f}`;
    if (!files.has(rel)) notes.push({ path: rel, problem: 'a WARC file the catalogue does not know' });
  }
}

/** Each catalogued record of one WARC file: inside the file, well-formed, holding the body catalogued. */
function checkRecords(db: Db, file: string, path: string, problems: Finding[], counts: Counts): void {
  const size = statSync(path).size;
  for (const r of fetchesInWarc(db, file)) {
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
