import { StoreError, type Db } from '../db-type.js';
import { applyMigration, MIGRATIONS } from '../migrations.js';
import { PgDb, redact } from './connection.js';

/** Every opener takes it while it brings the schema up to date: two never run one step. */
const SCHEMA_LOCK = 7_301_000;

/**
 * Opens the team catalogue at `url` and brings its schema up to date, as openDb does a SQLite file.
 * A database whose ctype is not UTF-8 is refused: pg_trgm sees no Chinese character there, and
 * search would find nothing while seeming to work.
 */
export function openPgDb(url: string, opts: { readonly?: boolean } = {}): Db {
  const db = new PgDb(url);
  try {
    const { ctype, encoding } = db.prepare(`SELECT current_setting('lc_ctype') AS ctype, pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = current_database()`).get() as { ctype: string; encoding: string };
    if (encoding !== 'UTF8' || !/utf-?8/i.test(ctype)) {
      throw new StoreError(
        `the catalogue database ${redact(url)} has encoding ${encoding} and ctype ${ctype}: xjwatch needs UTF8 with a UTF-8 ctype, or search cannot see Chinese text. ` +
          `Create it with: CREATE DATABASE … TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`,
      );
    }
    if (!opts.readonly) migrate(db, url);
    else checkVersion(db, url, version(db));
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

function version(db: Db): number {
  const t = db.prepare(`SELECT to_regclass('xjwatch_schema') IS NOT NULL AS present`).get() as { present: number };
  if (!t.present) return 0;
  return (db.prepare(`SELECT version FROM xjwatch_schema`).get() as { version: number } | undefined)?.version ?? 0;
}

function checkVersion(db: Db, url: string, v: number): void {
  if (v > MIGRATIONS.length) throw new StoreError(`the catalogue database ${redact(url)} was made by a newer xjwatch (schema ${v}, this one knows ${MIGRATIONS.length})`);
}

function migrate(db: Db, url: string): void {
  const current = version(db);
  checkVersion(db, url, current);
  if (current === MIGRATIONS.length) return;
  for (;;) {
    const done = db.transaction(() => {
      db.prepare(`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK})`).get();
      db.exec(`CREATE TABLE IF NOT EXISTS xjwatch_schema (version INTEGER NOT NULL)`);
      const v = version(db);
      const step = MIGRATIONS[v];
      if (!step) return true;
      applyMigration(db, step, 'pg');
      db.exec(v === 0 ? `INSERT INTO xjwatch_schema (version) VALUES (1)` : `UPDATE xjwatch_schema SET version = ${v + 1}`);
      return false;
    })();
    if (done) return;
  }
}

/** Whether any xjwatch run has made its schema in the team catalogue yet (a reader has nothing to read before). */
export function teamCatalogueMade(url: string): boolean {
  const db = new PgDb(url);
  try {
    return version(db) > 0;
  } finally {
    db.close();
  }
}

/** What `doctor` says of a team catalogue: reachable, the right ctype, pg_trgm there, how far its schema is. */
export function teamCatalogueReport(url: string): { server: string; schema: number; of: number; trigram: boolean } {
  const db = openPgDb(url, { readonly: true });
  try {
    const server = (db.prepare(`SELECT current_setting('server_version') AS v`).get() as { v: string }).v;
    const trigram = Boolean(db.prepare(`SELECT 1 AS x FROM pg_available_extensions WHERE name = 'pg_trgm'`).get());
    return { server, schema: version(db), of: MIGRATIONS.length, trigram };
  } finally {
    db.close();
  }
}
