import { StoreError, type Db } from '../db-type.js';
import { GENESIS } from '../custody.js';
import type { PgDb } from './connection.js';

/** One table as copied: its name and how many rows went across. */
export interface CopiedTable {
  table: string;
  rows: number;
}

/** Rows per INSERT: one round trip to the bridge for many rows, under PostgreSQL's 65,535 parameters. */
const BATCH_ROWS = 500;
const MAX_PARAMS = 30_000;

/**
 * Copies every row of a SQLite catalogue into an empty team catalogue of the same schema, ids and
 * custody log verbatim, inside the caller's transaction on `to`. The triggers that would log
 * each row again are held off while the rows go across (the log is copied as it stands, so its
 * chain and hashes are the ones bundles have pinned), then restored; identity counters are moved
 * past the copied ids. FTS5's index becomes the trigram table's rows.
 */
export function copyCatalogue(from: Db, to: PgDb, onTable: (t: CopiedTable) => void = () => {}): CopiedTable[] {
  const tables = tablesInOrder(from);
  const target = new Set((to.prepare(`SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema()`).all() as { t: string }[]).map((r) => r.t));
  for (const t of tables) if (!target.has(t)) throw new StoreError(`the team catalogue has no table ${t}: it was made by another xjwatch version`);
  const held = [...target].filter((t) => t !== 'xjwatch_schema');
  for (const t of held) to.exec(`ALTER TABLE ${t} DISABLE TRIGGER USER`);
  const copied: CopiedTable[] = [];
  for (const table of tables) {
    const c = { table, rows: copyTable(from, to, table) };
    copied.push(c);
    onTable(c);
  }
  for (const t of held) to.exec(`ALTER TABLE ${t} ENABLE TRIGGER USER`);
  moveIdentities(to);
  return copied;
}

/** Rows in any table a run writes: a catalogue that has them is not migrated into. */
export function rowsIn(db: Db): number {
  return (db.prepare(`SELECT (SELECT count(*) FROM runs) + (SELECT count(*) FROM pages) + (SELECT count(*) FROM custody) AS n`).get() as { n: number }).n;
}

/** How many rows each table holds: the copy is checked table by table against its source. */
export function rowCounts(db: Db, tables: string[]): Map<string, number> {
  return new Map(tables.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]));
}

/** The custody log's last hash (the genesis hash when it is empty). */
export function custodyHead(db: Db): string {
  return (db.prepare(`SELECT hash FROM custody ORDER BY seq DESC LIMIT 1`).get() as { hash: string } | undefined)?.hash ?? GENESIS;
}

/** The SQLite catalogue's tables, each after those its foreign keys point to (FTS5's shadow tables left out). */
function tablesInOrder(db: Db): string[] {
  const names = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'texts_%' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
  const needs = new Map(names.map((n) => [n, (db.prepare(`SELECT "table" AS t FROM pragma_foreign_key_list(?)`).all(n) as { t: string }[]).map((r) => r.t).filter((t) => t !== n)]));
  const order: string[] = [];
  const placed = new Set<string>();
  const place = (n: string, path: string[]) => {
    if (placed.has(n)) return;
    if (path.includes(n)) throw new StoreError(`the catalogue's foreign keys form a cycle: ${[...path, n].join(' → ')}`);
    for (const dep of needs.get(n) ?? []) place(dep, [...path, n]);
    placed.add(n);
    order.push(n);
  };
  for (const n of names) place(n, []);
  return order;
}

function copyTable(from: Db, to: PgDb, table: string): number {
  // FTS5 keeps the capture id as rowid; term_hits' rowid is its insertion order, a column in PostgreSQL
  const cols = table === 'texts' ? ['rowid', 'title', 'body'] : [...(table === 'term_hits' ? ['rowid'] : []), ...(from.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).all(table) as { name: string }[]).map((r) => r.name)];
  const key = cols.includes('id') ? 'id' : 'rowid';
  const per = Math.max(1, Math.min(BATCH_ROWS, Math.floor(MAX_PARAMS / cols.length)));
  const insert = (n: number) => to.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${Array.from({ length: n }, () => `(${cols.map(() => '?').join(', ')})`).join(', ')}`);
  const full = insert(per);
  let batch: unknown[][] = [];
  let rows = 0;
  const flush = () => {
    if (!batch.length) return;
    try {
      (batch.length === per ? full : insert(batch.length)).run(...batch.flat());
    } catch (e) {
      throw new StoreError(`could not copy ${table} (rows with ${key} ${batch[0]![cols.indexOf(key)]} to ${batch.at(-1)![cols.indexOf(key)]}): ${(e as Error).message}`);
    }
    rows += batch.length;
    batch = [];
  };
  for (const r of from.prepare(`SELECT ${cols.join(', ')} FROM ${table} ORDER BY ${key}`).iterate() as Iterable<Record<string, unknown>>) {
    batch.push(cols.map((c) => r[c]));
    if (batch.length === per) flush();
  }
  flush();
  return rows;
}

/** Each identity column's counter past the largest id copied, so the next insert takes the next id. */
function moveIdentities(to: PgDb): void {
  const ids = to.prepare(`SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'`).all() as { t: string; c: string }[];
  for (const { t, c } of ids) {
    to.prepare(`SELECT setval(pg_get_serial_sequence('${t}', '${c}'), coalesce((SELECT max(${c}) FROM ${t}), 0) + 1, false)`).get();
  }
}
