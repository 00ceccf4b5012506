import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirBusy, WriterLock } from '../../src/store/writer-lock.js';
import { tempDir } from '../helpers/cli.js';

const foreign = (dir: string, ageMs: number) => {
  const path = join(dir, 'writer.lock');
  writeFileSync(path, `${JSON.stringify({ pid: 1, host: 'a-container-long-gone', command: 'watch', since: '2026-11-30T00:00:00Z' })}\n`);
  const t = new Date(Date.now() - ageMs);
  utimesSync(path, t, t);
};

describe('the writer lock', () => {
  it('a lock held on another host is respected while its holder keeps touching it', () => {
    const dir = tempDir('xjwatch-lock-');
    foreign(dir, 10_000);
    expect(() => WriterLock.take(dir, 'crawl')).toThrow(DataDirBusy);
  });

  it('a lock left untouched for five minutes is a dead run’s, wherever it ran (a killed container, a reused pid)', () => {
    const dir = tempDir('xjwatch-lock-');
    foreign(dir, 6 * 60_000);
    const lock = WriterLock.take(dir, 'crawl');
    lock.release();
  });
});
