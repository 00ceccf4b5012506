import { fileURLToPath } from 'node:url';
import { createSyncFn } from 'synckit';
import { StoreError, type AnyFunction, type Db, type RunResult, type Statement, type Transaction } from '../db-type.js';
import type { BridgeAnswer, BridgeCall } from './bridge-worker.js';
import { toPg, type PgSql } from './translate.js';
import { entryUrl } from '../../entries.js';

/** An error PostgreSQL answered; `code` is its SQLSTATE, as `PG_<state>` (write-failure.ts reads it). */
export class PgError extends StoreError {
  override name = 'PgError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

// one bridge thread per thread that opens connections (synckit keeps one per worker file)
let bridge: ((call: BridgeCall) => BridgeAnswer) | undefined;
let connections = 0;

function call(c: BridgeCall): BridgeAnswer {
  bridge ??= createSyncFn(fileURLToPath(entryUrl('bridge-worker', new URL('./bridge-worker.js', import.meta.url)))) as (call: BridgeCall) => BridgeAnswer;
  return bridge(c);
}

/**
 * A PostgreSQL connection behind the store's synchronous API: each call waits for its answer, as
 * better-sqlite3's do, while node-postgres talks to the server in the bridge thread. Synchronous on
 * purpose: the store's transactions are plain functions that nothing can interleave with.
 */
export class PgDb implements Db {
  private readonly id = ++connections;
  private depth = 0;
  private statements = 0;
  private closed = false;
  private readonly prepared = new Map<string, PgStatement>();

  constructor(readonly url: string) {
    const a = call({ op: 'connect', id: this.id, url });
    if (!a.ok) throw new StoreError(`cannot connect to the catalogue database ${redact(url)}: ${a.message}`);
    this.exec(`SET client_encoding = 'UTF8'; SET standard_conforming_strings = on; SET client_min_messages = warning`);
  }

  get open(): boolean {
    return !this.closed;
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  prepare(sql: string): Statement {
    let st = this.prepared.get(sql);
    if (!st) {
      st = new PgStatement(this, toPg(sql), `s${++this.statements}`);
      this.prepared.set(sql, st);
    }
    return st;
  }

  exec(sql: string): this {
    this.check();
    this.answer(call({ op: 'exec', id: this.id, text: sql }), sql);
    return this;
  }

  transaction<F extends AnyFunction>(fn: F): Transaction<F> {
    const run = (...args: unknown[]): unknown => {
      const outer = this.depth === 0;
      const name = `sp${this.depth}`;
      this.exec(outer ? 'BEGIN' : `SAVEPOINT ${name}`);
      this.depth++;
      try {
        const value = fn(...args);
        this.depth--;
        this.exec(outer ? 'COMMIT' : `RELEASE SAVEPOINT ${name}`);
        return value;
      } catch (e) {
        this.depth--;
        try {
          this.exec(outer ? 'ROLLBACK' : `ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`);
        } catch {
          // the connection is gone: the server rolls the transaction back itself
        }
        throw e;
      }
    };
    return Object.assign(run, { immediate: run }) as unknown as Transaction<F>;
  }

  /** The few SQLite pragmas the store uses, as PostgreSQL settings. */
  pragma(source: string): unknown {
    const m = /^\s*query_only\s*=\s*(ON|OFF)\s*$/i.exec(source);
    if (m) {
      this.exec(`SET default_transaction_read_only = ${m[1]!.toUpperCase() === 'ON' ? 'on' : 'off'}`);
      return [];
    }
    throw new StoreError(`PRAGMA ${source} has no PostgreSQL counterpart`);
  }

  close(): this {
    if (!this.closed) {
      this.closed = true;
      call({ op: 'close', id: this.id });
    }
    return this;
  }

  /** Runs one statement of `st`'s and returns its rows. */
  run(st: PgStatement, params: unknown[]): { rows: Record<string, unknown>[]; changes: number } {
    this.check();
    const values = st.values(params);
    return this.answer(call({ op: 'query', id: this.id, name: st.name, text: st.sql.text, values }), st.sql.text);
  }

  private check(): void {
    if (this.closed) throw new StoreError('the catalogue database connection is closed');
  }

  private answer(a: BridgeAnswer, text: string): { rows: Record<string, unknown>[]; changes: number } {
    if (!a.ok) {
      if (!a.code) throw new PgError(`the catalogue database did not answer: ${a.message}`, 'PG_CONNECTION');
      throw new PgError(`${a.message} (in: ${text.replace(/\s+/g, ' ').slice(0, 200)})`, `PG_${a.code}`);
    }
    const rows = a.rows.map((r) => {
      const row: Record<string, unknown> = {};
      a.columns.forEach((c, i) => (row[c] = r[i]));
      return row;
    });
    return { rows, changes: a.changes };
  }
}

class PgStatement implements Statement {
  constructor(
    private readonly db: PgDb,
    readonly sql: PgSql,
    readonly name: string,
  ) {}

  values(params: unknown[]): (string | null)[] {
    const { names, count } = this.sql;
    let list: unknown[];
    if (names) {
      const o = (params[0] ?? {}) as Record<string, unknown>;
      list = names.map((n) => {
        if (!(n in o)) throw new StoreError(`missing named parameter "${n}"`);
        return o[n];
      });
    } else {
      list = params;
    }
    if (list.length !== count) throw new StoreError(`the statement takes ${count} parameter(s), ${list.length} given: ${this.sql.text.slice(0, 120)}`);
    return list.map(text);
  }

  get(...params: unknown[]): unknown {
    return this.db.run(this, params).rows[0];
  }

  all(...params: unknown[]): unknown[] {
    return this.db.run(this, params).rows;
  }

  run(...params: unknown[]): RunResult {
    const { rows, changes } = this.db.run(this, params);
    return { changes, lastInsertRowid: this.sql.returnsId ? Number(rows[0]?.id ?? 0) : 0 };
  }

  iterate(...params: unknown[]): IterableIterator<unknown> {
    return this.db.run(this, params).rows[Symbol.iterator]();
  }
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`;
  throw new StoreError(`a ${typeof v} cannot be a statement parameter`);
}

/** A database URL as it may be shown: without its password. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}
