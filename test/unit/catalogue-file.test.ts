import { spawn } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunContext } from '../../src/schedule/run-context.js';
import { CatalogueGone, openDb } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { ROOT } from '../helpers/cli.js';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'xjwatch-catfile-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('a run whose catalogue is taken away under it', () => {
  it('fails naming the catalogue when the file was removed', () => {
    const dir = fresh();
    const ctx = RunContext.open(dir, 'test');
    for (const f of ['xjwatch.db', 'xjwatch.db-wal', 'xjwatch.db-shm']) rmSync(join(dir, f), { force: true });
    expect(() => ctx.finish('ok', {})).toThrow(CatalogueGone);
  });

  it('fails when another file now stands at its path', () => {
    const dir = fresh();
    openDb(dir).close();
    copyFileSync(join(dir, 'xjwatch.db'), join(dir, 'other.db'));
    const ctx = RunContext.open(dir, 'test');
    renameSync(join(dir, 'other.db'), join(dir, 'xjwatch.db'));
    expect(() => ctx.finish('ok', {})).toThrow(/replaced by another file/);
  });

  it('is not handed to a run that starts after the file was replaced: that run writes the new file', () => {
    const dir = fresh();
    openDb(dir).close();
    copyFileSync(join(dir, 'xjwatch.db'), join(dir, 'other.db'));
    const old = RunContext.open(dir, 'test');
    renameSync(join(dir, 'other.db'), join(dir, 'xjwatch.db'));
    const later = RunContext.open(dir, 'test');
    expect(later.db).not.toBe(old.db);
    expect(() => later.finish('ok', {})).not.toThrow();
    expect(() => old.finish('ok', {})).toThrow(/replaced by another file/);
  });

  it('finishes as before when the file stayed', () => {
    const ctx = RunContext.open(fresh(), 'test');
    expect(() => ctx.finish('ok', {})).not.toThrow();
  });
});

describe('a fresh catalogue opened by several processes at once', () => {
  it('is migrated once, every opener succeeding', async () => {
    const dir = fresh();
    const script = `import('${join(ROOT, 'dist/src/store/db.js')}').then(({ openDb }) => { const at = Number(process.argv[1]); while (Date.now() < at); openDb(process.argv[2]).close(); })`;
    const at = String(Date.now() + 1500);
    const codes = await Promise.all(
      Array.from({ length: 6 }, () => new Promise<{ code: number | null; err: string }>((ok) => {
        const p = spawn(process.execPath, ['-e', script, at, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        p.stderr.on('data', (d) => (err += d));
        p.on('exit', (code) => ok({ code, err }));
      })),
    );
    expect(codes.filter((c) => c.code !== 0).map((c) => c.err)).toEqual([]);
    const db = openDb(dir);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });
});
