// Imports nothing from store/: migrations and custody need `Db` while db.ts needs them.

/** What a write reports: better-sqlite3's shape, which the PostgreSQL connection copies. */
export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/** A prepared statement; parameters are positional (`?`) or one object of named ones (`@name`). */
export interface Statement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): RunResult;
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

/** A function run as one transaction; called inside another, it is a savepoint of that one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunction = (...args: any[]) => unknown;
type Args<F> = F extends (...args: infer A) => unknown ? A : never;
export interface Transaction<F extends AnyFunction> {
  (...args: Args<F>): ReturnType<F>;
  immediate(...args: Args<F>): ReturnType<F>;
}

/**
 * A catalogue connection: better-sqlite3's synchronous API, which the store is written against,
 * and which store/pg/connection.ts gives over PostgreSQL. SQL is written in SQLite's dialect; the
 * PostgreSQL connection rewrites its placeholders and `INSERT OR IGNORE`, and the few statements
 * that differ more choose by `dialectOf` (store/dialect.ts).
 */
export interface Db {
  prepare(sql: string): Statement;
  exec(sql: string): unknown;
  transaction<F extends AnyFunction>(fn: F): Transaction<F>;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): unknown;
  readonly open: boolean;
  readonly inTransaction: boolean;
}

export class StoreError extends Error {
  override name = 'StoreError';
}
