import type { Db } from './db-type.js';
import { dialectOf, type Dialect } from './dialect.js';

/**
 * The custody log: every row written to these tables gets an entry, in the same transaction,
 * whose hash covers the row (as canonical JSON) and the previous entry's hash. Rewriting a row
 * then breaks its entry; rewriting entries breaks the chain from there on; and the head hash,
 * time-stamped in every evidence bundle, pins the whole log as it stood.
 *
 * The column lists are part of the log's format: entries written with them must re-derive from
 * the rows forever, so a table's list is never edited, only a new format added.
 */
export const CUSTODY_COLUMNS: Record<string, readonly string[]> = {
  fetches: ['id', 'run_id', 'exchange_id', 'site_id', 'purpose', 'via', 'task_url', 'url', 'method', 'at', 'duration_ms', 'status', 'ip', 'content_type', 'body_sha256', 'body_size', 'wire_bytes', 'truncated', 'location', 'error_kind', 'error', 'warc_file', 'warc_offset', 'warc_length', 'request_offset', 'request_length'],
  // the text itself is covered by text_sha256, which verify re-hashes
  captures: ['id', 'page_id', 'fetch_id', 'run_id', 'at', 'final_url', 'status', 'body_sha256', 'body_size', 'content_type', 'charset', 'charset_note', 'title', 'published', 'date_source', 'text_sha256', 'compare_sha256', 'text_chars', 'etag', 'last_modified', 'problems'],
  checks: ['id', 'run_id', 'page_id', 'at', 'fetch_id', 'capture_id', 'outcome', 'reason', 'status', 'final_url', 'controls', 'counted', 'detail'],
  renderings: ['id', 'page_id', 'capture_id', 'run_id', 'at', 'what', 'png_sha256', 'pdf_sha256', 'problem'],
  warc_files: ['id', 'run_id', 'file', 'sha256', 'size', 'sealed_at'],
  // which recorded exchanges a capture's pictures are replayed from (schema step 4)
  requisites: ['id', 'capture_id', 'url', 'fetch_id'],
  // which captures are an archive's, where from and when it saw the page (schema step 7)
  prior_captures: ['id', 'capture_id', 'archive', 'archive_url', 'archived_at', 'original_url', 'archive_status', 'digest', 'lookup_fetch_id'],
  // the evidence bundles made, their .zip's hash, and the pages each proves (schema step 11)
  bundles: ['id', 'name', 'made_at', 'host', 'zip_sha256', 'zip_size', 'files'],
  bundle_pages: ['id', 'bundle_id', 'page_id', 'verdict'],
};

export const GENESIS = '0'.repeat(64);

/**
 * SQL for the canonical JSON of a row of `table`, with `alias` as the row (NEW in a trigger).
 * PostgreSQL's json_build_object spaces its output; the entry must be SQLite's json_object byte for
 * byte (a migrated log re-derives on either engine), so there it is spelled out: compact, the
 * columns in the list's order, each value as JSON (both engines escape a string alike).
 */
export function recordSql(table: string, alias: string, dialect: Dialect = 'sqlite'): string {
  const cols = CUSTODY_COLUMNS[table];
  if (!cols) throw new Error(`no custody columns for ${table}`);
  if (dialect === 'sqlite') return `json_object(${cols.map((c) => `'${c}', ${alias}.${c}`).join(', ')})`;
  return `('{' || ${cols.map((c, i) => `'${i ? ',' : ''}"${c}":' || coalesce(to_jsonb(${alias}.${c})::text, 'null')`).join(' || ')} || '}')`;
}

/** SHA-256 in hex of a text, in SQL (xj_sha256 is db.ts's function for SQLite). */
function sha256Sql(expr: string, dialect: Dialect): string {
  return dialect === 'sqlite' ? `xj_sha256(${expr})` : `encode(sha256(convert_to(${expr}, 'UTF8')), 'hex')`;
}

/** Every insert that logs takes this lock first, till it commits: two writers never chain from one entry. */
const CHAIN_LOCK = 7_301_001;

const lastHash = `coalesce((SELECT hash FROM custody ORDER BY seq DESC LIMIT 1), '${GENESIS}')`;

/** Schema step 2: the log, the sealed WARC files, the triggers, and entries for rows already kept. */
export function custodyMigration(db: Db): void {
  const dialect = dialectOf(db);
  if (dialect === 'pg') return pgCustodyMigration(db);
  db.exec(`
    CREATE TABLE warc_files (
      id INTEGER PRIMARY KEY,
      run_id INTEGER,
      file TEXT NOT NULL UNIQUE,
      sha256 TEXT NOT NULL,
      size INTEGER NOT NULL,
      sealed_at TEXT NOT NULL
    );
    CREATE TABLE custody (
      seq INTEGER PRIMARY KEY,
      tbl TEXT NOT NULL,
      row_id INTEGER NOT NULL,
      record TEXT NOT NULL,
      prev TEXT NOT NULL,
      hash TEXT NOT NULL UNIQUE
    );
    CREATE INDEX custody_row ON custody(tbl, row_id);
  `);
  for (const table of ['fetches', 'captures', 'checks', 'renderings', 'warc_files']) custodyTriggers(db, table);
  db.exec(`CREATE TRIGGER custody_append_only BEFORE UPDATE ON custody BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
    CREATE TRIGGER custody_no_delete BEFORE DELETE ON custody BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;`);
  // rows kept before the log existed, in the order they were written
  const insert = db.prepare(`INSERT INTO custody (tbl, row_id, record, prev, hash) SELECT ?, ?, r, p, ${sha256Sql('p || char(10) || r', 'sqlite')} FROM (SELECT ? AS r, ${lastHash} AS p)`);
  for (const table of ['fetches', 'captures', 'checks', 'renderings']) {
    for (const row of db.prepare(`SELECT id, ${recordSql(table, table)} AS r FROM ${table} ORDER BY id`).all() as { id: number; r: string }[]) {
      insert.run(table, row.id, row.r);
    }
  }
}

/** Logs every row inserted into `table` and refuses changes to it: for each table the log covers. */
export function custodyTriggers(db: Db, table: string): void {
  if (dialectOf(db) === 'pg') return pgCustodyTriggers(db, table);
  db.exec(`CREATE TRIGGER custody_${table} AFTER INSERT ON ${table} BEGIN
    INSERT INTO custody (tbl, row_id, record, prev, hash)
      SELECT '${table}', NEW.id, r, p, ${sha256Sql('p || char(10) || r', 'sqlite')} FROM (SELECT ${recordSql(table, 'NEW')} AS r, ${lastHash} AS p);
  END;
  CREATE TRIGGER custody_${table}_frozen BEFORE UPDATE ON ${table} BEGIN
    SELECT RAISE(ABORT, 'rows in the custody log are never changed: ${table}');
  END;`);
}

/** Schema step 2 on PostgreSQL: the same tables, with the triggers in PL/pgSQL (a new catalogue: nothing to back-fill). */
function pgCustodyMigration(db: Db): void {
  db.exec(`
    CREATE TABLE warc_files (
      id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      run_id BIGINT,
      file TEXT NOT NULL UNIQUE,
      sha256 TEXT NOT NULL,
      size BIGINT NOT NULL,
      sealed_at TEXT NOT NULL
    );
    CREATE TABLE custody (
      seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      tbl TEXT NOT NULL,
      row_id BIGINT NOT NULL,
      record TEXT NOT NULL,
      prev TEXT NOT NULL,
      hash TEXT NOT NULL UNIQUE
    );
    CREATE INDEX custody_row ON custody(tbl, row_id);
    CREATE FUNCTION xj_custody_frozen() RETURNS trigger LANGUAGE plpgsql AS $f$
    BEGIN
      IF TG_TABLE_NAME = 'custody' THEN RAISE EXCEPTION 'the custody log is append-only'; END IF;
      RAISE EXCEPTION 'rows in the custody log are never changed: %', TG_TABLE_NAME;
    END $f$;
    CREATE TRIGGER custody_append_only BEFORE UPDATE OR DELETE ON custody FOR EACH ROW EXECUTE FUNCTION xj_custody_frozen();
    CREATE TRIGGER custody_no_truncate BEFORE TRUNCATE ON custody FOR EACH STATEMENT EXECUTE FUNCTION xj_custody_frozen();
  `);
  for (const table of ['fetches', 'captures', 'checks', 'renderings', 'warc_files']) pgCustodyTriggers(db, table);
}

function pgCustodyTriggers(db: Db, table: string): void {
  db.exec(`CREATE FUNCTION custody_${table}() RETURNS trigger LANGUAGE plpgsql AS $f$
    DECLARE r text; p text;
    BEGIN
      PERFORM pg_advisory_xact_lock(${CHAIN_LOCK});
      r := ${recordSql(table, 'NEW', 'pg')};
      SELECT hash INTO p FROM custody ORDER BY seq DESC LIMIT 1;
      p := coalesce(p, '${GENESIS}');
      INSERT INTO custody (tbl, row_id, record, prev, hash) VALUES ('${table}', NEW.id, r, p, ${sha256Sql('p || chr(10) || r', 'pg')});
      RETURN NULL;
    END $f$;
    CREATE TRIGGER custody_${table} AFTER INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION custody_${table}();
    CREATE TRIGGER custody_${table}_frozen BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION xj_custody_frozen();`);
}
