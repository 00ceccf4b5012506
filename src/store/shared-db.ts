import { resolve } from 'node:path';
import { catalogueFile, openDb, type Db } from './db.js';
import { refuseWrites, WriteGate } from './write-failure.js';

interface Connection {
  db: Db;
  file: { path: string; check: () => void };
  gate: WriteGate;
  users: number;
}

/** Per thread (each worker thread has its own module instance): the runs writing each data directory now. */
const open = new Map<string, Connection>();

/** A run's hold on its thread's catalogue connection. */
export interface SharedDb {
  readonly db: Db;
  /** which file the connection opened (a catalogue removed or replaced under it is told by `check`) */
  readonly file: { path: string; check: () => void };
  /**
   * The connection's writes: the first that fails for good closes it for every run holding the
   * connection (the same disk refuses them all), and SQLite then refuses the ungated writes too.
   */
  readonly gate: WriteGate;
  /** Lets the run's closing rows through after a failure (only until `release`). */
  lift(): void;
  /** Closes the connection when its last run lets go. */
  release(): void;
}

/**
 * The catalogue connection of the runs a thread has open at once (a watcher's sites). A
 * connection per run cost the watcher a fifth of its time in SQLite at 500 sites: every commit by
 * one connection throws away the page cache of all the others, which then read the same pages
 * again, and each run prepared every statement anew (bench/README.md, scale). Runs in one thread
 * cannot interleave inside a transaction (better-sqlite3's are synchronous), so sharing is safe.
 * A connection that has failed, or whose file is no longer the one at the path, is not handed to
 * a new run: that run opens its own and finds out for itself.
 */
export function shareDb(dataDir: string): SharedDb {
  const key = resolve(dataDir);
  let c = open.get(key);
  if (c && (c.gate.failure || !sameFile(c))) {
    open.delete(key);
    c = undefined;
  }
  if (!c) c = connect(dataDir, key);
  const conn = c;
  conn.users++;
  let released = false;
  return {
    db: conn.db,
    file: conn.file,
    gate: conn.gate,
    lift: () => refuseWrites(conn.db, false),
    release: () => {
      if (released) return;
      released = true;
      conn.users--;
      if (conn.users > 0) {
        // the others still running are halted too: SQLite refuses their ungated writes again
        if (conn.gate.failure) refuseWrites(conn.db, true);
        return;
      }
      if (open.get(key) === conn) open.delete(key);
      conn.db.close();
    },
  };
}

function connect(dataDir: string, key: string): Connection {
  const db = openDb(dataDir);
  let file;
  try {
    file = catalogueFile(dataDir);
  } catch (e) {
    db.close();
    throw e;
  }
  const conn: Connection = { db, file, gate: new WriteGate(), users: 0 };
  // writes outside the gated ones (rechecks' watch rows, renderings) are refused by SQLite itself
  conn.gate.signal.addEventListener(
    'abort',
    () => {
      try {
        refuseWrites(db, true);
      } catch {
        // the catalogue is already closed: nothing can write it anyway
      }
    },
    { once: true },
  );
  open.set(key, conn);
  return conn;
}

function sameFile(c: Connection): boolean {
  try {
    c.file.check();
    return true;
  } catch {
    return false;
  }
}
