import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { BIN, runCli, tempDir, matrixEnv } from '../helpers/cli.js';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import { checkStore } from '../helpers/store-check.js';
import { openCatalogue } from '../helpers/catalogue.js';

let fx: RunningFixtures;
beforeAll(async () => {
  fx = await startFixtureSites();
});
afterAll(async () => fx?.close());

describe('a crawl killed half-way', () => {
  it('leaves a consistent store, and the next run reports every new posting exactly once', async () => {
    const dir = tempDir('xjwatch-crash-');
    // a slow, polite site so that the kill lands in the middle of the run
    const file = join(dir, 'county.yaml');
    writeFileSync(file, siteFile('county', fx.sites.county).replace('delayMs: 0', 'delayMs: 15'));
    const dataDir = join(dir, 'data');
    const child = spawn(process.execPath, [BIN, 'crawl', file, '--json', '--data-dir', dataDir], { env: { ...process.env, ...matrixEnv(['--data-dir', dataDir]) }, stdio: ['ignore', 'pipe', 'ignore'] });
    let firstOut = '';
    // kill it a little after its first event, whatever the machine's speed
    const firstEvent = new Promise<void>((r) => child.stdout.setEncoding('utf8').on('data', (d: string) => ((firstOut += d), r())));
    await firstEvent;
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const printed = firstOut.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l));
    expect(printed.length).toBeGreaterThan(0);
    expect(printed.length).toBeLessThan(fx.sites.county.postings.filter(mentionsTrackedTerm).length);

    const mid = await checkStore(dataDir);
    expect(mid.problems).toEqual([]);
    expect(mid.fetches).toBeGreaterThan(0);

    const rest = await runCli(['crawl', file, '--json', '--data-dir', dataDir]);
    expect(rest.code).toBe(0);
    // the killed run is ended as interrupted by the next writer, not shown running for ever
    const db = openCatalogue(dataDir);
    expect((db.prepare(`SELECT status FROM runs ORDER BY id`).all() as { status: string }[]).map((r) => r.status)).toEqual(['interrupted', 'ok']);
    db.close();
    const urls = [...printed, ...rest.json].map((e) => e.url);
    expect(new Set(urls).size).toBe(urls.length); // nothing printed twice
    const expected = fx.sites.county.postings.filter(mentionsTrackedTerm).map((p) => fx.sites.county.postingUrl(p));

    const end = await checkStore(dataDir);
    expect(end.problems).toEqual([]);
    // the catalogue's events (what mails and `xjwatch events` read): every posting exactly once
    const events = await runCli(['events', '--json', '--data-dir', dataDir]);
    const recorded = events.json.map((e) => e.url);
    expect(new Set(recorded).size).toBe(recorded.length);
    const reported = events.json.filter((e) => e.kind === 'new_posting').map((e) => e.url);
    for (const u of expected) expect(reported).toContain(u); // nothing lost
    for (const u of urls) expect(recorded).toContain(u);
    // a kill between an event's commit and its line on stdout leaves that one event unprinted
    expect(recorded.filter((u) => !urls.includes(u)).length).toBeLessThanOrEqual(1);
  });
});
