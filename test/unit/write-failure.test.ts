import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyStore } from '../../src/evidence/store-verify.js';
import { parseRecord, readSlice } from '../../src/evidence/warc-record.js';
import type { Exchange } from '../../src/fetch/exchange.js';
import { RunContext } from '../../src/schedule/run-context.js';
import { openDb } from '../../src/store/db.js';
import { fileSha256, WarcWriter, type WarcLocation } from '../../src/store/warc-writer.js';
import { cannotWriteCode, cannotWriteReason, WriteFailure, WriteGate } from '../../src/store/write-failure.js';
import { tempDir } from '../helpers/cli.js';

const sysError = (code: string, syscall = 'write') => Object.assign(new Error(`${code}: failed, ${syscall}`), { code, syscall, errno: -1 });

const exchange = (body: Buffer): Exchange => ({
  id: randomUUID(),
  method: 'GET',
  url: `http://127.0.0.1:8080/info/${randomUUID()}.htm`,
  requestHeaders: [['Host', '127.0.0.1:8080']],
  httpVersion: '1.1',
  startedAt: new Date(),
  durationMs: 1,
  ip: '127.0.0.1',
  response: { status: 200, statusText: 'OK', rawHeaders: [['Content-Type', 'text/html']], body },
});

describe('what counts as the data directory refusing writes', () => {
  it('judges by the code of our own write errors: full, over quota, read-only, failing; in words', () => {
    for (const code of ['ENOSPC', 'EDQUOT', 'EROFS', 'EIO']) expect(cannotWriteCode(sysError(code))).toBe(code);
    for (const code of ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'SQLITE_READONLY', 'SQLITE_READONLY_DBMOVED']) {
      expect(cannotWriteCode(new Database.SqliteError('no', code))).toBe(code);
    }
    expect(cannotWriteReason('ENOSPC')).toBe('the disk is full');
    expect(cannotWriteReason('SQLITE_FULL')).toBe('the disk is full');
    expect(cannotWriteReason('EDQUOT')).toBe('the disk quota is used up');
    expect(cannotWriteReason('EROFS')).toBe('the file system is read-only');
    expect(cannotWriteReason('SQLITE_READONLY_DBMOVED')).toBe('the file system is read-only');
    expect(cannotWriteReason('EIO')).toMatch(/I\/O error/);
    expect(cannotWriteReason('SQLITE_IOERR_WRITE')).toMatch(/I\/O error/);
  });

  it('never by text: a message quoting a page or a server ("ENOSPC", "disk is full") is not a full disk', () => {
    expect(cannotWriteCode(new Error('ENOSPC: no space left on device, write'))).toBeUndefined();
    expect(cannotWriteCode(new Error('database or disk is full'))).toBeUndefined();
    expect(cannotWriteCode(sysError('ECONNRESET', 'read'))).toBeUndefined();
    expect(cannotWriteCode(sysError('ENOENT', 'open'))).toBeUndefined();
    expect(cannotWriteCode(new Database.SqliteError('UNIQUE constraint failed', 'SQLITE_CONSTRAINT_UNIQUE'))).toBeUndefined();
    expect(cannotWriteCode({ code: 'SQLITE_FULLER' })).toBeUndefined();
    expect(cannotWriteCode(undefined)).toBeUndefined();
  });

  it('a gate closes on the first such failure: its signal aborts, later writes are refused untried, other errors pass', () => {
    const gate = new WriteGate();
    const bug = new Error('a bug');
    expect(gate.failed(bug, 'the catalogue')).toBe(bug);
    expect(gate.signal.aborted).toBe(false);
    const first = gate.failed(sysError('ENOSPC'), 'a blob');
    expect(first).toBeInstanceOf(WriteFailure);
    expect((first as WriteFailure).code).toBe('ENOSPC');
    expect((first as WriteFailure).target).toBe('a blob');
    expect(gate.signal.aborted).toBe(true);
    expect(gate.signal.reason).toBe(first);
    // what fails after it is its consequence: the first failure is the news
    expect(gate.failed(sysError('EIO'), 'the WARC file')).toBe(first);
    expect(gate.failed(bug, 'the catalogue')).toBe(first);
    let tried = false;
    expect(() => gate.write('the catalogue', () => (tried = true))).toThrow(first as Error);
    expect(tried).toBe(false);
  });
});

describe('a run whose catalogue fills up', () => {
  it('halts at the first failed write: nothing is written after it but the closing, and the store verifies', async () => {
    const dir = tempDir('xjwatch-halt-');
    const ctx = RunContext.open(dir, 'test');
    const record = (i: number) => ctx.recorder.record(exchange(Buffer.from(`<p>posting ${i} ${randomBytes(256).toString('hex')}</p>`)), { siteId: 'test', label: 'posting' }, undefined);
    // a real SQLITE_FULL: the catalogue may not grow past its size now
    ctx.db.pragma(`max_page_count = ${ctx.db.pragma('page_count', { simple: true }) as number}`);
    let failure: unknown;
    let kept = 0;
    for (let i = 0; i < 5000 && failure === undefined; i++) {
      await record(i).then(
        () => kept++,
        (e: unknown) => (failure = e),
      );
    }
    expect(failure).toBeInstanceOf(WriteFailure);
    expect(failure).toMatchObject({ code: 'SQLITE_FULL', target: 'the catalogue' });
    expect(ctx.halted).toBe(failure);
    expect(ctx.signal.aborted).toBe(true);
    expect(kept).toBeGreaterThan(0);

    // refused before anything is written: no blob, no WARC record, no row
    const warcDir = join(dir, 'warc', readdirSync(join(dir, 'warc'))[0]!);
    const warcFile = join(warcDir, readdirSync(warcDir)[0]!);
    const blobsBefore = countFiles(join(dir, 'blobs'));
    const warcBefore = statSync(warcFile).size;
    await expect(record(99_999)).rejects.toBe(failure);
    expect(() => ctx.catalogue.transaction(() => ctx.catalogue.upsertSite({ id: 'x', name: 'x', home: 'http://x/', source: 'test' }, ctx.runId))).toThrow(failure as Error);
    expect(() => ctx.db.prepare(`DELETE FROM sites WHERE id = 'nobody'`).run()).toThrow(/readonly/); // writes the gate does not see
    expect(countFiles(join(dir, 'blobs'))).toBe(blobsBefore);
    expect(statSync(warcFile).size).toBe(warcBefore);
    expect(() => ctx.throwIfHalted()).toThrow(failure as Error);

    // the closing: the WARC file is sealed if the catalogue can take it; nothing is thrown
    expect(() => ctx.finish('ok', {})).not.toThrow();
    const db = openDb(dir);
    const run = db.prepare(`SELECT status FROM runs WHERE id = ?`).get(ctx.runId) as { status: string | null };
    expect([null, 'failed']).toContain(run.status);
    // fetch rows go in batches: the batch whose commit failed is not in the catalogue, but every
    // exchange that was kept has its body in the blob store (and its records in the WARC file)
    const rows = (db.prepare(`SELECT count(*) AS n FROM fetches`).get() as { n: number }).n;
    expect(rows).toBeLessThanOrEqual(kept);
    expect(blobsBefore).toBeGreaterThanOrEqual(kept);
    expect(verifyStore(dir, db).problems).toEqual([]);
    db.close();
  });
});

describe('runs of one thread sharing the catalogue connection', () => {
  it('share it while open, and the last to finish closes it', () => {
    const dir = tempDir('xjwatch-shared-');
    const a = RunContext.open(dir, 'test a');
    const b = RunContext.open(dir, 'test b');
    expect(b.db).toBe(a.db);
    expect(b.runId).not.toBe(a.runId);
    a.finish('ok', {});
    expect(b.db.open).toBe(true);
    b.finish('ok', {});
    expect(a.db.open).toBe(false);
    const c = RunContext.open(dir, 'test c');
    expect(c.db).not.toBe(a.db);
    c.finish('ok', {});
  });

  it('halt together at a full disk, each closing its own run; a run after them writes again', async () => {
    const dir = tempDir('xjwatch-shared-full-');
    const a = RunContext.open(dir, 'test a');
    const b = RunContext.open(dir, 'test b');
    a.db.pragma(`max_page_count = ${a.db.pragma('page_count', { simple: true }) as number}`);
    let failure: unknown;
    for (let i = 0; i < 5000 && failure === undefined; i++) {
      await a.recorder.record(exchange(Buffer.from(`<p>${i} ${randomBytes(256).toString('hex')}</p>`)), { siteId: 'test', label: 'posting' }, undefined).catch((e: unknown) => (failure = e));
    }
    expect(failure).toMatchObject({ code: 'SQLITE_FULL' });
    // the other run is refused with the same failure, not with a misleading one of its own
    expect(b.halted).toBe(failure);
    expect(b.signal.aborted).toBe(true);
    await expect(b.recorder.record(exchange(Buffer.from('<p>b</p>')), { siteId: 'test', label: 'posting' }, undefined)).rejects.toBe(failure);
    a.finish('ok', {});
    // a's closing lifted SQLite's refusal only for itself: b's ungated writes are refused still
    expect(() => b.db.prepare(`DELETE FROM sites WHERE id = 'nobody'`).run()).toThrow(/readonly/);
    b.finish('ok', {});
    const c = RunContext.open(dir, 'test c');
    expect(c.halted).toBeUndefined();
    await c.recorder.record(exchange(Buffer.from('<p>c</p>')), { siteId: 'test', label: 'posting' }, undefined);
    c.finish('ok', {});
    const db = openDb(dir);
    const runs = db.prepare(`SELECT command, status FROM runs ORDER BY id`).all() as { command: string; status: string | null }[];
    expect(runs.map((r) => r.command)).toEqual(['test a', 'test b', 'test c']);
    expect(runs[2]!.status).toBe('ok');
    expect(runs[1]!.status).toBe('failed');
    expect((db.prepare(`SELECT count(*) AS n FROM fetches WHERE run_id = (SELECT max(id) FROM runs)`).get() as { n: number }).n).toBe(1);
    db.close();
  });
});

function countFiles(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length;
}

const mnt = join(tempDir('xjwatch-warc-full-'), 'disk');
mkdirSync(mnt);
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { stdio: 'ignore' });
  mounted = true;
} catch {
  // not root: the CLI test on a full tmpfs is skipped as well
}
afterAll(() => {
  if (mounted) execFileSync('umount', [mnt]);
  rmSync(mnt, { recursive: true, force: true });
});

describe.skipIf(!mounted)('a WARC file on a disk that fills up', () => {
  it('stops at the failed write and, closing, cuts the partial record it left: the file sealed is whole records', async () => {
    const gate = new WriteGate();
    const seals: { file: string; sha256: string; size: number }[] = [];
    const w = new WarcWriter(mnt, 'full', 'xjwatch/test', (file, sha256, size) => seals.push({ file, sha256, size }), gate);
    const written: WarcLocation[] = [];
    let failure: unknown;
    for (let i = 0; i < 100 && failure === undefined; i++) {
      await w.writeExchange(exchange(randomBytes(40_000))).then(
        (loc) => written.push(loc.response!, loc.request),
        (e: unknown) => (failure = e),
      );
    }
    expect(failure).toMatchObject({ code: 'ENOSPC', target: 'the WARC file' });
    expect(gate.failure).toBe(failure);
    const file = join(mnt, written[0]!.file);
    const end = Math.max(...written.map((l) => l.offset + l.length));
    const torn = statSync(file).size;
    expect(torn).toBeGreaterThan(end); // the failed write left part of a record

    // nothing more is appended
    await expect(w.writeExchange(exchange(Buffer.from('small')))).rejects.toBe(failure);
    expect(statSync(file).size).toBe(torn);

    w.close();
    expect(statSync(file).size).toBe(end);
    for (const l of written) expect(parseRecord(readSlice(file, l.offset, l.length)).problem).toBeUndefined();
    expect(() => gunzipSync(readFileSync(file))).not.toThrow(); // a reader going through the whole file meets no torn end
    expect(seals).toEqual([{ file: written[0]!.file, ...fileSha256(file) }]);
  });
});
