import { HOSTILE_IDS } from '../../src/demo/sites/hostile.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import { runCli, tempDir } from '../helpers/cli.js';

let fx: RunningFixtures;
let dir: string;
beforeAll(async () => {
  fx = await startFixtureSites();
  dir = tempDir('xjwatch-fetch-');
});
afterAll(async () => fx?.close());

describe('politeness', () => {
  it('one request at a time per host, the site\'s delay between them, an honest User-Agent', async () => {
    const site = fx.sites.regional;
    const file = join(dir, 'regional.yaml');
    writeFileSync(file, siteFile('regional', site).replace('delayMs: 0', 'delayMs: 150'));
    site.log.length = 0;
    const r = await runCli(['crawl', file, '--max-pages', '1', '--data-dir', join(dir, 'polite')]);
    expect(r.code).toBe(0);
    const log = [...site.log].sort((a, b) => a.start - b.start);
    expect(log.length).toBeGreaterThan(15);
    for (let i = 1; i < log.length; i++) {
      expect(log[i]!.start).toBeGreaterThanOrEqual(log[i - 1]!.end); // never two at once
      expect(log[i]!.start - log[i - 1]!.end).toBeGreaterThanOrEqual(140); // the delay, give or take a timer tick
    }
    for (const e of log) {
      expect(e.headers['user-agent']).toMatch(/^xjwatch\/\d+\.\d+\.\d+ \(research monitoring/);
      expect(e.headers['accept-language']).toMatch(/^zh-CN/);
    }
  });
});

describe('failures are retried, recorded and survived', () => {
  let file: string;
  let dataDir: string;
  const county = () => fx.sites.county;
  const postings = () => county().postings.filter(mentionsTrackedTerm);
  const path = (id: number) => `/info/1103/${id}.htm`;
  let result: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    file = join(dir, 'county.yaml');
    writeFileSync(file, siteFile('county', county()).replace('timeoutMs: 10000', 'timeoutMs: 800'));
    dataDir = join(dir, 'faults');
    const [flaky, hung, moved, reset] = postings();
    county().fail(path(flaky!.id), { status: 503 }, { status: 503 });
    county().fail(path(hung!.id), { hang: true }, { hang: true }, { hang: true });
    county().fail(path(moved!.id), { redirect: path(postings()[4]!.id) });
    county().fail(path(reset!.id), { reset: true });
    result = await runCli(['crawl', file, '--json', '--data-dir', dataDir]);
  });

  it('a page that answers 503 twice is fetched on the third try, and the 503s are kept', async () => {
    const p = postings()[0]!;
    expect(result.json.map((e) => e.url)).toContain(county().base + path(p.id));
    const h = await runCli(['history', county().base + path(p.id), '--json', '--data-dir', dataDir]);
    expect(h.json.map((x) => [x.type, x.status])).toEqual([
      ['fetch', 503],
      ['fetch', 503],
      ['capture', 200],
    ]);
  });

  it('a page that never answers times out on every try, is named, and the run goes on', async () => {
    const p = postings()[1]!;
    expect(result.code).toBe(0);
    expect(result.json.map((e) => e.url)).not.toContain(county().base + path(p.id));
    expect(result.stderr).toContain(`failed timeout: ${county().base}${path(p.id)}`);
    const h = await runCli(['history', county().base + path(p.id), '--json', '--data-dir', dataDir]);
    expect(h.json.map((x) => x.error?.kind)).toEqual(['timeout', 'timeout', 'timeout']);
    expect(result.json.length).toBe(postings().length + HOSTILE_IDS.size - 1 - 1); // + hostile pages with terms (all but the huge one), − the hung one
  });

  it('a redirect is followed and both hops are kept', async () => {
    const p = postings()[2]!;
    const h = await runCli(['history', county().base + path(p.id), '--json', '--data-dir', dataDir]);
    expect(h.json[0]).toMatchObject({ type: 'fetch', status: 302, url: county().base + path(p.id) });
    expect(h.json[1]).toMatchObject({ type: 'capture', status: 200, url: county().base + path(postings()[4]!.id) });
  });

  it('a connection reset is retried', async () => {
    const p = postings()[3]!;
    const h = await runCli(['history', county().base + path(p.id), '--json', '--data-dir', dataDir]);
    expect(h.json.map((x) => x.error?.kind ?? x.type)).toEqual(['reset', 'capture']);
  });
});
