import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { verifyStore } from '../../src/evidence/store-verify.js';
import { openDb } from '../../src/store/db.js';
import { GENESIS } from '../../src/store/custody.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { tempDir } from '../helpers/cli.js';

const fetchRow = (i: number) => ({
  run_id: 1, exchange_id: `ex-${i}`, url: `http://127.0.0.1/${i}`, method: 'GET', at: `2026-01-0${i}T00:00:00Z`, status: 200, warc_file: 'warc/x.warc.gz', warc_offset: i * 100, warc_length: 100,
});
const insertFetch = (db: Database.Database, i: number) =>
  db.prepare(`INSERT INTO fetches (run_id, exchange_id, url, method, at, status, warc_file, warc_offset, warc_length) VALUES (@run_id, @exchange_id, @url, @method, @at, @status, @warc_file, @warc_offset, @warc_length)`).run(fetchRow(i));

describe('custody log', () => {
  it('links every new row to the one before, in the same transaction, and refuses edits', () => {
    const dir = tempDir('xjwatch-custody-');
    const db = openDb(dir);
    insertFetch(db, 1);
    insertFetch(db, 2);
    const log = db.prepare(`SELECT * FROM custody ORDER BY seq`).all() as { tbl: string; row_id: number; record: string; prev: string; hash: string }[];
    expect(log.map((e) => `${e.tbl} ${e.row_id}`)).toEqual(['fetches 1', 'fetches 2']);
    expect(log[0]!.prev).toBe(GENESIS);
    expect(log[1]!.prev).toBe(log[0]!.hash);
    for (const e of log) expect(createHash('sha256').update(`${e.prev}\n${e.record}`).digest('hex')).toBe(e.hash);
    expect(JSON.parse(log[0]!.record)).toMatchObject({ id: 1, exchange_id: 'ex-1', status: 200 });
    expect(() => db.prepare(`UPDATE fetches SET status = 404 WHERE id = 1`).run()).toThrow(/never changed/);
    expect(() => db.prepare(`DELETE FROM custody`).run()).toThrow(/append-only/);
    // a failed transaction leaves no entry behind
    expect(() => db.transaction(() => { insertFetch(db, 3); throw new Error('boom'); })()).toThrow('boom');
    expect(db.prepare(`SELECT count(*) AS n FROM custody`).get()).toEqual({ n: 2 });
    expect(verifyStore(dir, db).problems.filter((p) => !p.path.startsWith('warc/'))).toEqual([]);
    db.close();
  });

  it('a catalogue made before the log existed gets entries for its rows when it is opened', () => {
    const dir = tempDir('xjwatch-custody-old-');
    const old = new Database(join(dir, 'xjwatch.db'));
    old.exec(MIGRATIONS[0] as string);
    old.pragma('user_version = 1');
    insertFetch(old, 1);
    insertFetch(old, 2);
    old.close();
    const db = openDb(dir);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect((db.prepare(`SELECT tbl, row_id FROM custody ORDER BY seq`).all() as { tbl: string; row_id: number }[]).map((r) => r.row_id)).toEqual([1, 2]);
    insertFetch(db, 3);
    const v = verifyStore(dir, db);
    expect(v.counts.logEntries).toBe(3);
    expect(v.problems.filter((p) => p.path.startsWith('xjwatch.db'))).toEqual([]);
    db.close();
  });

  it('names a broken chain, a rewritten entry and a row inserted around the log', () => {
    const dir = tempDir('xjwatch-custody-bad-');
    const db = openDb(dir);
    for (const i of [1, 2, 3]) insertFetch(db, i);
    db.exec(`DROP TRIGGER custody_append_only; DROP TRIGGER custody_fetches;`);
    db.prepare(`UPDATE custody SET record = replace(record, 'ex-2', 'ex-9') WHERE seq = 2`).run();
    insertFetch(db, 4);
    const problems = verifyStore(dir, db).problems.filter((p) => p.path.startsWith('xjwatch.db')).map((p) => `${p.path}: ${p.problem}`);
    expect(problems).toContain('xjwatch.db custody #2 (fetches 2): the entry does not hash to its recorded hash');
    expect(problems).toContain('xjwatch.db custody #2 (fetches 2): the fetches row was changed after it was logged');
    expect(problems.some((p) => p.startsWith('xjwatch.db fetches 4: a row that is not in the custody log'))).toBe(true);
    db.close();
  });
});
