import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { runCli, tempDir } from '../helpers/cli.js';

let fx: RunningFixtures;
let dataDir: string;
beforeAll(async () => {
  fx = await startFixtureSites();
  dataDir = tempDir('xjwatch-cmd-');
  mkdirSync(join(dataDir, 'sites'));
  fx.writeSiteFiles(join(dataDir, 'sites'));
});
afterAll(async () => fx?.close());

describe('the other commands', () => {
  it('crawl takes a site id from <data-dir>/sites, events filters by kind, site and time', async () => {
    const r = await runCli(['crawl', 'regional', '--max-pages', '1', '--json', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.json.length).toBeGreaterThan(0);
    expect(new Set(r.json.map((e) => e.site))).toEqual(new Set(['regional']));
    const all = await runCli(['events', '--json', '--data-dir', dataDir]);
    expect(all.json).toEqual(r.json);
    expect((await runCli(['events', '--kind', 'new_posting', '--site', 'regional', '--json', '--data-dir', dataDir])).json).toHaveLength(r.json.length);
    expect((await runCli(['events', '--site', 'county', '--json', '--data-dir', dataDir])).json).toHaveLength(0);
    expect((await runCli(['events', '--since', '2999-01-01', '--json', '--data-dir', dataDir])).json).toHaveLength(0);
    const bad = await runCli(['events', '--since', 'yesterday-ish', '--data-dir', dataDir]);
    expect(bad.code).toBe(2);
  });

  it('terms lists the default terms with glosses; --json gives one object per term', async () => {
    const r = await runCli(['terms', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.find((t) => t.term === '教培中心')).toMatchObject({ gloss: expect.stringContaining('VTIC'), variants: ['教育培训中心'] });
  });

  it.each(['crawl', 'events', 'history', 'search', 'sites', 'terms', 'demo'])('%s --help explains itself and exits 0', async (cmd) => {
    const r = await runCli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: xjwatch ${cmd}`);
    expect(r.stdout).toContain('--data-dir');
    expect(r.stdout).toContain('--json');
  });

  it('search with --json prints one object per hit; a two-character query works without the index', async () => {
    const r = await runCli(['search', '就业', '--json', '--limit', '3', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.json).toHaveLength(3);
    for (const hit of r.json) expect(hit.snippet).toContain('就业');
    const none = await runCli(['search', '不存在的词语', '--data-dir', dataDir]);
    expect(none.code).toBe(1);
  });
});
