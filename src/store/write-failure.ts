import Database from 'better-sqlite3';
import { PgError } from './pg/connection.js';
import type { Db } from './db-type.js';

/**
 * Error codes that mean the data directory takes no more writes: full, over quota, read-only, or
 * failing. Retrying cannot help, and going on would only fail again page after page.
 */
const CANNOT_WRITE = /^(ENOSPC|EDQUOT|EROFS|EIO|SQLITE_FULL|SQLITE_IOERR(_\w+)?|SQLITE_READONLY(_\w+)?|XJ_OBJECT_STORE)$/;

/** What a cannot-write code means, in words. */
export function cannotWriteReason(code: string): string {
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') return 'the disk is full';
  if (code === 'EDQUOT') return 'the disk quota is used up';
  if (code === 'EROFS' || code.startsWith('SQLITE_READONLY')) return 'the file system is read-only';
  if (code === 'XJ_OBJECT_STORE') return "the team's object store did not take the write";
  return 'the disk failed a write (an I/O error)';
}

/** A write to the data directory that failed for one of those reasons; `target` says which write. */
export class WriteFailure extends Error {
  override name = 'WriteFailure';

  constructor(
    readonly code: string,
    /** 'a blob', 'the WARC file', 'the catalogue' */
    readonly target: string,
    cause: unknown,
  ) {
    // the object store's own answer says which store and why; a disk's code says it all
    const why = code === 'XJ_OBJECT_STORE' && cause instanceof Error ? `: ${cause.message}` : '';
    super(`${cannotWriteReason(code)} (${code}, writing ${target})${why}`, { cause });
  }
}

/**
 * The cannot-write code of an error our own write threw, judged by its code alone (a Node
 * system error's or SQLite's), never by its message: a message may quote a page or a server.
 */
export function cannotWriteCode(e: unknown): string | undefined {
  if (e instanceof WriteFailure) return e.code;
  const code = (e as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && CANNOT_WRITE.test(code) ? code : undefined;
}

/** `e` as a WriteFailure of `target`, when it is a cannot-write error of one of our writes. */
export function asWriteFailure(e: unknown, target: string): WriteFailure | undefined {
  if (e instanceof WriteFailure) return e;
  const code = cannotWriteCode(e);
  return code ? new WriteFailure(code, target, e) : undefined;
}

/** An error of the catalogue itself (SQLite's or PostgreSQL's), so of the data directory, whoever ran the statement. */
export function isCatalogueError(e: unknown): boolean {
  return e instanceof Database.SqliteError || e instanceof PgError;
}

/**
 * A run's writes to its data directory. The first that fails for good closes the gate: `signal`
 * aborts (the crawl stops taking work) and every later write is refused before it is tried, so
 * nothing more is written after the failure except the run's closing (RunContext.finish).
 */
export class WriteGate {
  private first: WriteFailure | undefined;
  private readonly ctl = new AbortController();
  readonly signal: AbortSignal = this.ctl.signal;

  get failure(): WriteFailure | undefined {
    return this.first;
  }

  /** Before a write: throws the failure that closed the gate, if one did. */
  check(): void {
    if (this.first) throw this.first;
  }

  /**
   * A write to `target` threw `e`: what to throw instead. A cannot-write error closes the gate;
   * once closed, any error is the first failure's consequence and the first failure is thrown.
   */
  failed(e: unknown, target: string): unknown {
    if (this.first) return this.first;
    const f = asWriteFailure(e, target);
    if (!f) return e;
    this.first = f;
    this.ctl.abort(f);
    return f;
  }

  /** Runs a synchronous write through the gate. */
  write<T>(target: string, fn: () => T): T {
    this.check();
    try {
      return fn();
    } catch (e) {
      throw this.failed(e, target);
    }
  }
}

/** After a failure, SQLite itself refuses writes on this connection (the run's closing lifts it). */
export function refuseWrites(db: Db, refuse: boolean): void {
  db.pragma(`query_only = ${refuse ? 'ON' : 'OFF'}`);
}
