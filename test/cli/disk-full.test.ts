import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCatalogue } from '../helpers/catalogue.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { checkStore } from '../helpers/store-check.js';

/** A real full disk: a small tmpfs as the data directory (needs root, as CI and these machines run). */
function mountSmallDisk(dir: string, options: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let fx: RunningFixtures;
const root = tempDir('xjwatch-full-');
const mounts: string[] = [];
/** 4 MiB: the catalogue's SQLite fills first; 64 inodes (space to spare): a blob's new file fails first */
const disks = { space: 'size=4m', inodes: 'size=64m,nr_inodes=64' };
const mounted = Object.fromEntries(
  Object.entries(disks).map(([name, options]) => {
    const dir = join(root, name);
    mkdirSync(dir);
    const ok = mountSmallDisk(dir, options);
    if (ok) mounts.push(dir);
    return [name, ok];
  }),
) as Record<keyof typeof disks, boolean>;

beforeAll(async () => {
  fx = await startFixtureSites({ countyPostings: 300, hostile: false });
});
afterAll(async () => {
  await fx?.close();
  for (const dir of mounts) execFileSync('umount', [dir]);
  rmSync(root, { recursive: true, force: true });
});

/**
 * Crawls the 300-posting county site into a disk that fills on the way, and judges the run: it
 * ended at the first failed write (the site was asked for barely more than the catalogue holds),
 * at once, in one line, and left a store that verifies and answers searches.
 */
async function crawlIntoFullDisk(disk: keyof typeof disks, writing: RegExp): Promise<void> {
  const site = fx.sites.county;
  const file = join(tempDir(), 'county.yaml');
  writeFileSync(file, siteFile('county', site));
  const data = join(root, disk, 'data');
  const from = site.log.length;
  const startedAt = Date.now();
  const r = await runCli(['crawl', file, '--no-screenshots', '--data-dir', data], { timeoutMs: 120_000 });
  const exitedAt = Date.now();
  const asked = site.log.slice(from).filter((e) => !e.path.startsWith('/__fixture/'));

  expect(r.code, r.stderr).toBe(1);
  // one line, the last, saying what happened; no stack trace, no summary of a pass that did not end
  const last = r.stderr.trim().split('\n').at(-1)!;
  expect(last).toMatch(new RegExp(`^xjwatch: cannot write to ${data}: the disk is full \\((ENOSPC|SQLITE_FULL) writing ${writing.source}, \\d+\\.\\d MiB free${disk === 'inodes' ? ', \\d+ inodes free' : ''}\\)\\. What was recorded before the failing write is kept and consistent`));
  expect(r.stderr.match(/cannot write to/g)).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  expect(r.stderr).not.toMatch(/crawled \d+ site/);

  // it stopped at once: every request the site received is in the catalogue but those of the
  // write that failed (a posting's transaction holds its fetch row and its attachment's) and the
  // one in flight (before, each later page failed to record and was retried: 146 requests for 41
  // fetches kept), and the site's 300 postings were far from done
  const db = openCatalogue(data);
  const fetched = (db.prepare(`SELECT count(*) AS n FROM fetches`).get() as { n: number }).n;
  const run = db.prepare(`SELECT status, finished_at FROM runs ORDER BY id DESC LIMIT 1`).get() as { status: string | null; finished_at: string | null };
  db.close();
  const lag = exitedAt - asked.at(-1)!.start;
  console.log(`${disk}: ${asked.length} request(s) received, ${fetched} fetch(es) kept, exit after ${exitedAt - startedAt} ms, ${lag} ms after the last request, run ${run.status ?? 'unfinished'}: ${last.slice(0, last.indexOf(').') + 1)}`);
  expect(fetched).toBeGreaterThan(10); // the disk filled during the crawl, not before it
  expect(asked.length - fetched).toBeLessThanOrEqual(3);
  expect(asked.length).toBeLessThan(200);
  expect(lag).toBeLessThan(5_000);
  // the run row says so when the catalogue could still write it (a full SQLite may leave it open)
  if (run.finished_at) expect(run.status).toBe('failed');

  // nothing torn: every catalogued fetch points at a whole WARC record holding its body
  expect((await checkStore(data)).problems).toEqual([]);
  const v = await runCli(['verify', '--data-dir', data]);
  expect(v.code, v.stdout + v.stderr).toBe(0);
  // and answers searches: for a word of a posting it kept (which postings were kept before the disk
  // filled depends on the order of the fetches)
  const kept = openCatalogue(data);
  const posting = kept.prepare(`SELECT p.url, c.title FROM captures c JOIN pages p ON p.id = c.page_id WHERE p.kind = 'posting' AND length(c.title) >= 4 ORDER BY c.id LIMIT 1`).get() as { url: string; title: string } | undefined;
  kept.close();
  expect(posting, 'no posting was kept before the disk filled').toBeDefined();
  const s = await runCli(['search', posting!.title.slice(0, 4), '--json', '--data-dir', data]);
  expect(s.code, s.stderr).toBe(0);
  expect(s.stdout).toContain(posting!.url);
}

describe('a full disk', () => {
  it.skipIf(!mounted.space)('ends the run at the first failed write, in one line naming the data directory and what is free (exit 1); the store verifies afterwards', async () => {
    await crawlIntoFullDisk('space', /(the catalogue|a blob|the WARC file)/);
  }, 150_000);

  it.skipIf(!mounted.inodes)('out of inodes with space to spare: the first blob that cannot be created ends the run the same way', async () => {
    await crawlIntoFullDisk('inodes', /a blob/);
  }, 150_000);
});
