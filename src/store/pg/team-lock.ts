import { StoreError } from '../db-type.js';
import { PgDb, redact } from './connection.js';
import { runHolder } from '../run-holder.js';

/** Who holds a team catalogue's writer lock, as its connection names itself. */
export interface TeamHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

/** The key of the writer lock: one per database, whatever machine asks. */
export const WRITER_LOCK = 7_301_002;

/**
 * One writer at a time on a team catalogue, until runs share work through its job queue: two
 * crawls of the same sites on two machines would capture every posting twice. A PostgreSQL
 * session lock, held by a connection of its own, goes when its process goes — killed, crashed or
 * cut off — so there is nothing stale to clear, unlike the data directory's lock file.
 */
export class TeamLock {
  private constructor(private readonly db: PgDb) {}

  /** Takes the lock, or returns who holds it. */
  static take(url: string, command: string): TeamLock | TeamHolder {
    const name = `${runHolder()}${command}`.slice(0, 63);
    const db = new PgDb(withApplicationName(url, name));
    try {
      const got = (db.prepare(`SELECT pg_try_advisory_lock(${WRITER_LOCK}) AS got`).get() as { got: number }).got;
      if (got) return new TeamLock(db);
      const h = db
        .prepare(
          `SELECT a.application_name AS name, a.backend_start::text AS since FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE l.locktype = 'advisory' AND l.objid = ${WRITER_LOCK} AND l.granted
             -- advisory locks are per database: the same key held in another catalogue on the server is not ours
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1`,
        )
        .get() as { name: string; since: string } | undefined;
      db.close();
      const [, pid, host, ...command] = (h?.name ?? '').split(':');
      return { pid: Number(pid) || 0, host: host ?? '?', command: command.join(':') || '?', since: h?.since ?? '?' };
    } catch (e) {
      db.close();
      throw e instanceof StoreError ? e : new StoreError(`cannot take the writer lock of the team catalogue ${redact(url)}: ${(e as Error).message}`);
    }
  }

  /**
   * The same lock shared: a job of the team's queue holds it while it runs, so jobs run side by
   * side on many machines while an ad hoc `crawl` or `check` (which takes it whole) waits for
   * them, and they for it. Undefined while a whole holder has it.
   */
  static tryShared(url: string, command: string): TeamLock | undefined {
    const db = new PgDb(withApplicationName(url, `${runHolder()}${command}`.slice(0, 63)));
    try {
      if ((db.prepare(`SELECT pg_try_advisory_lock_shared(${WRITER_LOCK}) AS got`).get() as { got: number }).got) return new TeamLock(db);
      db.close();
      return undefined;
    } catch (e) {
      db.close();
      throw e instanceof StoreError ? e : new StoreError(`cannot take the writer lock of the team catalogue ${redact(url)}: ${(e as Error).message}`);
    }
  }

  release(): void {
    this.db.close();
  }
}

function withApplicationName(url: string, name: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
}
