import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { runCli, tempDir } from '../helpers/cli.js';

let fx: RunningFixtures;
beforeAll(async () => {
  fx = await startFixtureSites({ countyPostings: 20, hostile: false });
  fx.sites.county.liveCounters = false;
});
afterAll(async () => fx?.close());

describe('a list whose layout changed under its selector', () => {
  it('is reported broken, and its postings are not called delisted', async () => {
    const dir = tempDir('xjwatch-broken-list-');
    const file = join(dir, 'county.yaml');
    const data = join(dir, 'data');
    const base = siteFile('county', fx.sites.county);
    writeFileSync(file, base);
    const first = await runCli(['crawl', file, '--json', '--data-dir', data]);
    expect(first.code, first.stderr).toBe(0);
    // the site's new template: the selector the site file names matches nothing now
    writeFileSync(file, base.replace(`  - url: ${fx.sites.county.listUrl()}`, `  - url: ${fx.sites.county.listUrl()}\n    links: "div.no-such-list a[href]"`));
    const second = await runCli(['crawl', file, '--json', '--data-dir', data]);
    expect(second.code, second.stderr).toBe(0);
    const kinds = second.json.map((e) => e.kind);
    expect(kinds).toContain('site_broken');
    expect(kinds).not.toContain('delisted');
  });
});
