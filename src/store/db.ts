import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { StoreError, type Db, type Statement } from './db-type.js';
import { applyMigration, MIGRATIONS } from './migrations.js';
import { redact } from './pg/connection.js';
import { openPgDb } from './pg/database.js';
import { catalogueUrl } from './storage-setting.js';

export { StoreError, type Db, type Statement } from './db-type.js';

/**
 * Opens (creating if needed) the catalogue and brings its schema up to date: the team database
 * when XJWATCH_DATABASE_URL names one, else the data directory's SQLite file, in WAL mode.
 */
export function openDb(dataDir: string, opts: { readonly?: boolean } = {}): Db {
  mkdirSync(dataDir, { recursive: true });
  const url = catalogueUrl();
  if (url) return openPgDb(url, opts);
  return openSqlite(dataDir, opts);
}

/** The data directory's own SQLite catalogue, whatever XJWATCH_DATABASE_URL says (`migrate` reads it). */
export function openSqlite(dataDir: string, opts: { readonly?: boolean } = {}): Db {
  const path = join(dataDir, 'xjwatch.db');
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: false });
  } catch (err) {
    throw new StoreError(`cannot open the catalogue ${path}: ${(err as Error).message}`);
  }
  // first: switching a fresh file to WAL takes a lock another opener may hold for a moment
  db.pragma('busy_timeout = 10000');
  toWal(db);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // the custody log's triggers hash with it (store/custody.ts)
  db.function('xj_sha256', { deterministic: true }, (s: unknown) => createHash('sha256').update(String(s)).digest('hex'));
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    db.close();
    throw new StoreError(`the catalogue ${path} was made by a newer xjwatch (schema ${version}, this one knows ${MIGRATIONS.length})`);
  }
  // each step reads the version inside its own write transaction: two processes opening a fresh
  // catalogue at once must not both run a step
  // (only when behind: a write transaction at every open would queue each run behind any writer)
  while (!opts.readonly && (db.pragma('user_version', { simple: true }) as number) < MIGRATIONS.length) {
    const migrated = db.transaction(() => {
      const v = db.pragma('user_version', { simple: true }) as number;
      const step = MIGRATIONS[v];
      if (!step) return true;
      applyMigration(db, step, 'sqlite');
      db.pragma(`user_version = ${v + 1}`);
      return false;
    }).immediate();
    if (migrated) break;
  }
  return db;
}

/**
 * Switches to WAL, waiting out another process doing the same. Two openers of a fresh file can
 * each hold the lock the other needs; SQLite then answers SQLITE_BUSY at once, without its busy
 * handler (waiting could not end the deadlock), so the loser waits here and asks again.
 */
function toWal(db: Database.Database): void {
  for (let attempt = 0; ; attempt++) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 100) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10 + Math.random() * 40);
    }
  }
}

/** The catalogue was removed or replaced while a connection wrote it: its rows went nowhere. */
export class CatalogueGone extends StoreError {
  override name = 'CatalogueGone';
}

/**
 * Which file a connection opened. An open file that is deleted (a data directory cleaned away
 * under a running watcher) still takes every write, and nothing reports it: runs would go on
 * "recording" into a file no one can read. `check()` tells, by the file now at the path.
 */
export function catalogueFile(dataDir: string): { path: string; check: () => void } {
  // a database server's catalogue is not a file under the data directory
  const url = catalogueUrl();
  if (url) return { path: redact(url), check: () => {} };
  const path = join(dataDir, 'xjwatch.db');
  const at = statSync(path);
  return {
    path,
    check: () => {
      const now = statSync(path, { throwIfNoEntry: false });
      if (!now) throw new CatalogueGone(`the catalogue ${path} was removed while this run wrote it: what the run recorded after that is lost with the old file`);
      if (now.ino !== at.ino || now.dev !== at.dev) throw new CatalogueGone(`the catalogue ${path} was replaced by another file while this run wrote it: what the run recorded went to the old file`);
    },
  };
}

/**
 * Statements prepared once per connection, whoever asks: preparing costs more than running them,
 * and the runs of a watcher's thread share one connection (shared-db.ts).
 */
export class PreparedStatements {
  private static readonly byDb = new WeakMap<Db, PreparedStatements>();
  private readonly cache = new Map<string, Statement>();

  private constructor(private readonly db: Db) {}

  static of(db: Db): PreparedStatements {
    let p = PreparedStatements.byDb.get(db);
    if (!p) PreparedStatements.byDb.set(db, (p = new PreparedStatements(db)));
    return p;
  }

  get(sql: string): Statement {
    let st = this.cache.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.cache.set(sql, st);
    }
    return st;
  }
}
