import type { Db } from './db-type.js';
import { dialectOf, sqlFor } from './dialect.js';
import { PreparedStatements } from './db.js';

/**
 * The index of tracked forms too short for trigrams (schema step 13): which texts hold each, as a
 * substring, in the columns search reads. Sound only if every text is covered for every listed
 * form, so on PostgreSQL, where writers of several machines ingest at once, listing a form and
 * ingesting a text exclude each other: a text's hits are found under a SHARE lock on short_forms
 * (many ingests at once), a form is listed and its old texts scanned under a lock that waits for
 * those ingests to commit and holds off new ones. SQLite has one writer at a time.
 */

/** Forms shorter than this are found by this index; three characters and more, by trigrams. */
export const TRIGRAM_CHARS = 3;

/** Indexes the forms not indexed yet over every stored text; returns them. */
export function indexShortForms(db: Db, forms: readonly string[]): string[] {
  const wanted = [...new Set(forms)].filter(isShortForm);
  if (!wanted.length) return [];
  const listed = (): Set<string> => new Set((stmt(db, `SELECT form FROM short_forms`).all() as { form: string }[]).map((r) => r.form));
  // most runs list nothing new: known without taking the lock that holds off other writers' ingests
  const before = listed();
  if (wanted.every((f) => before.has(f))) return [];
  return db.transaction(() => {
    if (dialectOf(db) === 'pg') db.exec(`LOCK TABLE short_forms IN SHARE ROW EXCLUSIVE MODE`);
    const known = listed();
    const added = wanted.filter((f) => !known.has(f));
    const at = new Date().toISOString();
    for (const form of added) {
      stmt(db, `INSERT INTO short_forms (form, indexed_at) VALUES (?, ?)`).run(form, at);
      stmt(db, sqlFor(db, {
        sqlite: `INSERT INTO short_hits (form, capture_id) SELECT ?, rowid FROM texts WHERE instr(body, ?) > 0 OR instr(title, ?) > 0`,
        pg: `INSERT INTO short_hits (form, capture_id) SELECT ?, rowid FROM texts WHERE strpos(body, ?) > 0 OR strpos(title, ?) > 0`,
      })).run(form, form, form);
    }
    return added;
  }).immediate();
}

/** Records which listed forms a text just stored holds (inside the transaction that stored it). */
export function recordShortHits(db: Db, captureId: number): void {
  if (dialectOf(db) === 'pg') {
    // one round trip: the LOCK and then the INSERT, each statement with its own snapshot, so the
    // INSERT sees every form listed by a writer that held the lock before this one got it
    db.exec(`LOCK TABLE short_forms IN SHARE MODE;
      INSERT INTO short_hits (form, capture_id) SELECT f.form, t.rowid FROM short_forms f JOIN texts t ON t.rowid = ${Math.trunc(captureId)}
      WHERE strpos(t.body, f.form) > 0 OR strpos(t.title, f.form) > 0`);
    return;
  }
  stmt(db, `INSERT INTO short_hits (form, capture_id) SELECT f.form, t.rowid FROM short_forms f, texts t WHERE t.rowid = ? AND (instr(t.body, f.form) > 0 OR instr(t.title, f.form) > 0)`).run(captureId);
}

/** Whether a search for this (normalised) text can read the index rather than scan every text. */
export function isIndexedForm(db: Db, q: string): boolean {
  if (!isShortForm(q)) return false;
  try {
    return stmt(db, `SELECT 1 AS y FROM short_forms WHERE form = ?`).get(q) !== undefined;
  } catch (e) {
    // a catalogue of an older schema opened read-only (`serve` before any run migrated it) has no
    // index yet: its texts are scanned
    if (/no such table: short_forms|relation "short_forms" does not exist/.test((e as Error).message)) return false;
    throw e;
  }
}

/**
 * Short enough to need the index, and caseless: the index matches exactly, as the scan it stands
 * in for matches ASCII (SQLite) or any letters (PostgreSQL) in either case; Chinese has no case.
 */
function isShortForm(f: string): boolean {
  const n = [...f].length;
  return n > 0 && n < TRIGRAM_CHARS && f.toLowerCase() === f && f.toUpperCase() === f;
}

function stmt(db: Db, sql: string) {
  return PreparedStatements.of(db).get(sql);
}
