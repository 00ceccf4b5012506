import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCatalogue } from '../helpers/catalogue.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import { BIN, runCli, tempDir, matrixEnv } from '../helpers/cli.js';

let fx: RunningFixtures;
beforeAll(async () => {
  fx = await startFixtureSites({ countyPostings: 30, hostile: false });
});
afterAll(async () => fx?.close());

describe('one writer per data directory', () => {
  it('a second crawl waits (or exits 1 with --no-wait) naming the first; reads go on; every posting is captured once', async () => {
    const dir = tempDir('xjwatch-lock-');
    const file = join(dir, 'county.yaml');
    // slow and polite, so that the first crawl is still running when the others start
    writeFileSync(file, siteFile('county', fx.sites.county).replace('delayMs: 0', 'delayMs: 200'));
    const dataDir = join(dir, 'data');
    const first = spawn(process.execPath, [BIN, 'crawl', file, '--json', '--no-screenshots', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...matrixEnv(['--data-dir', dataDir]) } });
    let firstOut = '';
    const firstEvent = new Promise<void>((r) => first.stdout.setEncoding('utf8').on('data', (d: string) => ((firstOut += d), r())));
    const firstDone = new Promise<number | null>((r) => first.on('close', r));
    await firstEvent;

    const refused = await runCli(['crawl', file, '--json', '--no-wait', '--data-dir', dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`is being written by another xjwatch run: pid ${first.pid}`);
    expect(refused.stderr).toContain('`crawl ');
    expect(refused.stdout).toBe('');
    // readers are not held up
    const reading = await runCli(['events', '--json', '--data-dir', dataDir]);
    expect(reading.code).toBe(0);

    const second = await runCli(['crawl', file, '--json', '--no-screenshots', '--data-dir', dataDir], { timeoutMs: 120_000 });
    expect(await firstDone).toBe(0);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(new RegExp(`pid ${first.pid}.*waiting for it to finish`));
    // the second ran after the first: nothing new to report, nothing kept twice
    expect(second.json).toEqual([]);
    const firstEvents = firstOut.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(firstEvents.length).toBe(fx.sites.county.postings.filter(mentionsTrackedTerm).length);
    const db = openCatalogue(dataDir);
    try {
      const twice = db.prepare(`SELECT count(*) AS n FROM (SELECT c.page_id FROM captures c JOIN pages p ON p.id = c.page_id WHERE p.kind != 'list' GROUP BY c.page_id, c.body_sha256 HAVING count(*) > 1) AS twice`).get() as { n: number };
      expect(twice.n).toBe(0);
    } finally {
      db.close();
    }
    const store = await runCli(['verify', '--data-dir', dataDir]);
    expect(store.code, store.stdout).toBe(0);
  }, 180_000);
});
