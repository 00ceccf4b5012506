import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { runCli, tempDir } from '../helpers/cli.js';

let fx: RunningFixtures;
let dir: string;
beforeAll(async () => {
  fx = await startFixtureSites({ challenges: true });
  dir = tempDir('xjwatch-children-');
});
afterAll(async () => fx?.close());

// Crawlee samples the machine (memory, CPU) by spawning `ps -A` at every crawler's start and then
// every second; a watcher starts a crawler per site run, so at 500 sites that was 0.4 of a core
// (bench/scale). A `ps` first on PATH that notes each call shows whether any is spawned.
describe('the processes a crawl starts', () => {
  const watched = (key: string) => {
    const bin = join(dir, `bin-${key}`);
    const calls = join(dir, `calls-${key}.log`);
    mkdirSync(bin, { recursive: true });
    for (const name of ['ps', 'powershell']) {
      writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> '${calls}'\nexit 1\n`);
      chmodSync(join(bin, name), 0o755);
    }
    return { env: { PATH: `${bin}:${process.env.PATH}` }, calls: () => (existsSync(calls) ? readFileSync(calls, 'utf8') : '') };
  };

  it('a crawl over plain HTTP starts no `ps`', async () => {
    const w = watched('county');
    const file = join(dir, 'county.yaml');
    writeFileSync(file, siteFile('county', fx.sites.county));
    const r = await runCli(['crawl', file, '--max-pages', '2', '--no-screenshots', '--data-dir', join(dir, 'data')], { env: w.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/new posting/);
    expect(w.calls()).toBe('');
  });

  it('nor does one whose challenge is passed in the browser (a crawler kept alive for the pass)', async () => {
    const w = watched('ruishu');
    const file = join(dir, 'ruishu.yaml');
    writeFileSync(file, siteFile('ruishu', fx.sites.ruishu!));
    const r = await runCli(['crawl', file, '--max-pages', '1', '--no-screenshots', '--data-dir', join(dir, 'data-ruishu')], { env: w.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/new posting/);
    expect(w.calls()).toBe('');
  });
});
