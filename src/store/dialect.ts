import type { Db } from './db-type.js';
import { PgDb } from './pg/connection.js';

export type Dialect = 'sqlite' | 'pg';

/** Which engine holds the catalogue: a few statements are written for each (the rest is shared). */
export function dialectOf(db: Db): Dialect {
  return db instanceof PgDb ? 'pg' : 'sqlite';
}

/** The statement written for the connection's engine. */
export function sqlFor(db: Db, sql: Record<Dialect, string>): string {
  return sql[dialectOf(db)];
}

/**
 * PostgreSQL's json_each over a JSON array held in `expr` (text or json), as SQLite's json_each
 * reads it: no rows when it is absent or not an array, `value` for each element.
 */
export function pgJsonArray(expr: string, elements: 'json' | 'text' = 'json'): string {
  const j = `(${expr})::json`;
  return `json_array_elements${elements === 'text' ? '_text' : ''}(CASE WHEN json_typeof(${j}) = 'array' THEN ${j} ELSE '[]'::json END)`;
}
