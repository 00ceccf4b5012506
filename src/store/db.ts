import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { StoreError, type Db } from './db-type.js';
import { MIGRATIONS } from './migrations.js';

export { StoreError, type Db } from './db-type.js';

/** Opens (creating if needed) the catalogue in WAL mode and brings its schema up to date. */
export function openDb(dataDir: string, opts: { readonly?: boolean } = {}): Db {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'xjwatch.db');
  let db: Db;
  try {
    db = new Database(path, { fileMustExist: false });
  } catch (err) {
    throw new StoreError(`cannot open the catalogue ${path}: ${(err as Error).message}`);
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  // the custody log's triggers hash with it (store/custody.ts)
  db.function('xj_sha256', { deterministic: true }, (s: unknown) => createHash('sha256').update(String(s)).digest('hex'));
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    db.close();
    throw new StoreError(`the catalogue ${path} was made by a newer xjwatch (schema ${version}, this one knows ${MIGRATIONS.length})`);
  }
  if (!opts.readonly) {
    for (let v = version; v < MIGRATIONS.length; v++) {
      db.transaction(() => {
        const step = MIGRATIONS[v]!;
        if (typeof step === 'string') db.exec(step);
        else step(db);
        db.pragma(`user_version = ${v + 1}`);
      }).immediate();
    }
  }
  return db;
}

/** Statements prepared once per connection: preparing costs more than running them. */
export class PreparedStatements {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Db) {}

  get(sql: string): Database.Statement {
    let st = this.cache.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.cache.set(sql, st);
    }
    return st;
  }
}
