import type { Db } from './db-type.js';
import { openDb } from './db.js';
import { dialectOf } from './dialect.js';
import { WRITER_LOCK } from './pg/team-lock.js';

/**
 * PostgreSQL: runs left 'running' whose process holds no connection to the team catalogue's writer
 * lock (whole or shared): every live run holds it, from before its row is made until after it is
 * finished, on a connection named after its holder. `$1` is the time they are ended at.
 */
export const ABANDONED_RUNS_PG = `UPDATE runs SET status = 'interrupted', finished_at = $1
  WHERE status = 'running' AND holder IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.objid = ${WRITER_LOCK} AND l.granted
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND starts_with(a.application_name, runs.holder))`;

/**
 * Ends as interrupted the runs a killed or crashed process left 'running', so that `status` and
 * the view do not show them running for ever; returns how many. SQLite: called by the data
 * directory's one writer once it has the lock and before its first run, when every run still
 * 'running' is a dead one's (whatever its holder: a container's restarted watcher often has the
 * same pid and host as the one killed). PostgreSQL: those whose process is gone
 * (ABANDONED_RUNS_PG), safe at any time.
 */
export function interruptAbandonedRuns(db: Db, at = new Date().toISOString()): number {
  if (dialectOf(db) === 'pg') return db.prepare(ABANDONED_RUNS_PG.replace('$1', '?')).run(at).changes;
  return db.prepare(`UPDATE runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'`).run(at).changes;
}

/** The same on the data directory's catalogue, opened for it (a watcher, once it holds the lock). */
export function endAbandonedRuns(dataDir: string): number {
  const db = openDb(dataDir);
  try {
    return interruptAbandonedRuns(db);
  } finally {
    db.close();
  }
}
