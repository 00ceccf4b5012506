import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { writeFileSync } from 'node:fs';

/** A real full disk: a 4 MiB tmpfs as the data directory (needs root, as CI and these machines run). */
function mountSmallDisk(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let fx: RunningFixtures;
const mnt = join(tempDir('xjwatch-full-'), 'disk');
mkdirSync(mnt);
const mounted = mountSmallDisk(mnt);

beforeAll(async () => {
  fx = await startFixtureSites({ countyPostings: 300, hostile: false });
});
afterAll(async () => {
  await fx?.close();
  if (mounted) execFileSync('umount', [mnt]);
  rmSync(mnt, { recursive: true, force: true });
});

describe.skipIf(!mounted)('a full disk', () => {
  it('ends the run with one line naming the data directory and what is free (exit 1); the store verifies afterwards', async () => {
    const file = join(tempDir(), 'county.yaml');
    writeFileSync(file, siteFile('county', fx.sites.county));
    const data = join(mnt, 'data');
    const r = await runCli(['crawl', file, '--no-screenshots', '--data-dir', data], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter((l) => !l.startsWith('[')).slice(-12).join('\n')).toMatch(new RegExp(`xjwatch: cannot write to ${data} \\([^)]*MiB free\\)`));
    expect(r.stderr).toContain('What was recorded before the failing write is kept and consistent');
    expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/); // no stack trace
    const v = await runCli(['verify', '--data-dir', data]);
    expect(v.code, v.stdout).toBe(0);
    const s = await runCli(['search', '卫星工厂', '--json', '--data-dir', data]);
    expect(s.code).toBe(0);
  }, 150_000);
});
