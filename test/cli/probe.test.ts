import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { openCatalogue } from '../helpers/catalogue.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { startHttpProxy } from '../fixtures/http-proxy.js';
import { runCli, tempDir } from '../helpers/cli.js';

let fx: RunningFixtures;
let dir: string;
let files: ReturnType<RunningFixtures['writeSiteFiles']>;
beforeAll(async () => {
  fx = await startFixtureSites({ countyPostings: 20, hostile: false });
  dir = tempDir('xjwatch-probe-');
  files = fx.writeSiteFiles(join(dir, 'data', 'sites'));
});
afterAll(async () => fx?.close());

/** A 127.0.0.1 port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('xjwatch sites --probe', () => {
  it('passes healthy imitation sites: postings on each list and page 2, a sample posting with its title, date and text', async () => {
    const data = join(dir, 'data');
    const r = await runCli(['sites', '--probe', 'county', 'regional', '--json', '--data-dir', data]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.map((l) => [l.site, l.list])).toEqual([
      ['county', fx.sites.county.listUrl()],
      ['county', fx.sites.county.trapUrl()],
      ['regional', fx.sites.regional.listUrl()],
    ]);
    for (const l of r.json) {
      expect(l, JSON.stringify(l)).toMatchObject({ verdict: 'pass', first: { status: 200 } });
      expect(l.first.postings).toBeGreaterThan(0);
      expect(l.next.postings).toBeGreaterThan(0);
      expect(l.samples[0].title).toBeTruthy();
      expect(l.samples[0].published).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(l.samples[0].textChars).toBeGreaterThan(20);
    }
    const first = fx.sites.county.listed()[0]!;
    expect(r.json[0].samples[0]).toMatchObject({ url: fx.sites.county.postingUrl(first), title: first.title, published: first.date });

    const human = await runCli(['sites', '--probe', 'county', '--data-dir', data]);
    expect(human.code, human.stderr).toBe(0);
    const lines = human.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^PASS\s+county\s+http:\/\/127\.0\.0\.1:\d+\/xxgk\/tzgg\/index\.htm\s+url-shape 15 posting\(s\) · page 2: 5 · “/);
    expect(lines[0]).toContain(first.title);
    expect(lines[0]).toContain(first.date);
  });

  it('records the probe as a run of its own, and catalogues no page: the next crawl still reports the new postings', async () => {
    const data = join(tempDir('xjwatch-probe-run-'), 'data');
    const probe = await runCli(['sites', '--probe', files.county, '--json', '--data-dir', data]);
    expect(probe.code, probe.stderr).toBe(0);
    const db = openCatalogue(data);
    try {
      const run = db.prepare(`SELECT id, command, status, summary FROM runs`).all() as { id: number; command: string; status: string; summary: string }[];
      expect(run).toHaveLength(1);
      expect(run[0]).toMatchObject({ command: `sites --probe ${files.county}`, status: 'ok' });
      expect(JSON.parse(run[0]!.summary).probe).toEqual([expect.objectContaining({ site: 'county', verdict: 'pass' }), expect.objectContaining({ site: 'county', verdict: 'pass' })]);
      const fetched = db.prepare(`SELECT purpose, count(*) AS n FROM fetches WHERE run_id = ? GROUP BY purpose ORDER BY purpose`).all(run[0]!.id);
      expect(fetched).toEqual([
        { purpose: 'list', n: 4 },
        { purpose: 'posting', n: 2 },
      ]);
      expect(db.prepare(`SELECT count(*) AS n FROM pages`).get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
    const crawl = await runCli(['crawl', files.county, '--json', '--data-dir', data]);
    expect(crawl.code, crawl.stderr).toBe(0);
    expect(crawl.json.filter((e) => e.kind === 'new_posting').length).toBeGreaterThan(0);
  });

  it('fails a list whose links: selector matches nothing, with what the URL-shape fallback finds (exit 3)', async () => {
    const file = join(dir, 'county-broken.yaml');
    const listUrl = fx.sites.county.listUrl();
    writeFileSync(file, readFileSync(files.county, 'utf8').replace(`  - url: ${listUrl}`, `  - url: ${listUrl}\n    links: "div.no-such-list a[href]"`));
    const r = await runCli(['sites', '--probe', file, '--json', '--data-dir', join(dir, 'data')]);
    expect(r.code, r.stderr).toBe(3);
    const broken = r.json.find((l) => l.list === listUrl);
    expect(broken).toMatchObject({ verdict: 'fail', first: { method: 'url-shape', postings: 15, fallback: { from: 'selector', links: 'div.no-such-list a[href]' } } });
    expect(broken.why).toContain('matches nothing; 15 posting link(s) by their URL shape');
    expect(r.json.find((l) => l.list !== listUrl)).toMatchObject({ verdict: 'pass' });
    const human = await runCli(['sites', '--probe', file, '--data-dir', join(dir, 'data')]);
    expect(human.stdout).toMatch(/^FAIL\s+county\s+\S+\s+url-shape fallback \(links: div\.no-such-list a\[href\] matches nothing\) 15 posting\(s\)/m);
  });

  it('reports a host that refuses connections as unreachable, not as a broken list (exit 1)', async () => {
    const port = await closedPort();
    const file = join(dir, 'closed.yaml');
    writeFileSync(file, ['id: closed', 'name: 关闭的站点', `home: http://127.0.0.1:${port}/`, 'rate: { perHost: 1, delayMs: 0 }', 'retries: { count: 1, backoffMs: 10 }', 'lists:', `  - url: http://127.0.0.1:${port}/xxgk/tzgg/index.htm`, ''].join('\n'));
    const r = await runCli(['sites', '--probe', file, '--json', '--data-dir', join(dir, 'data')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json).toEqual([expect.objectContaining({ site: 'closed', verdict: 'unreachable', first: expect.objectContaining({ error: expect.objectContaining({ kind: 'refused' }) }) })]);
    expect(r.stderr).toContain('unreachable is not broken');
  });

  it("goes through the site's proxy: a host only the proxy can resolve is unreachable directly and passes through it", async () => {
    const name = 'regional.xjwatch.test';
    const proxy = await startHttpProxy({ hosts: { [name]: '127.0.0.1' } });
    try {
      const port = new URL(fx.sites.regional.base).port;
      const file = join(dir, 'regional-proxied.yaml');
      writeFileSync(file, siteFile('regional', fx.sites.regional).replaceAll(`127.0.0.1:${port}`, `${name}:${port}`).replace('retries: { count: 2, backoffMs: 50 }', 'retries: { count: 1, backoffMs: 10 }'));
      const direct = await runCli(['sites', '--probe', file, '--json', '--data-dir', join(dir, 'data')], { env: { XJWATCH_PROXY: '' } });
      expect(direct.code, direct.stderr).toBe(1);
      expect(direct.json[0]).toMatchObject({ verdict: 'unreachable', first: { error: { kind: 'dns' } } });
      const via = await runCli(['sites', '--probe', file, '--json', '--data-dir', join(dir, 'data')], { env: { XJWATCH_PROXY: proxy.url() } });
      expect(via.code, via.stderr).toBe(0);
      expect(via.json[0]).toMatchObject({ verdict: 'pass' });
      expect(proxy.counts.resolvedNames).toEqual(new Set([name]));
    } finally {
      await proxy.close();
    }
  });

  it('names an unknown site id (exit 2), and takes ids only with --probe', async () => {
    const r = await runCli(['sites', '--probe', 'no-such-site', '--data-dir', join(dir, 'data')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no site "no-such-site"/);
    const plain = await runCli(['sites', 'county', '--data-dir', join(dir, 'data')]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/site ids are for --probe/);
  });

  it('a pinned-only site has nothing to probe: exit 2, never "every list passed"', async () => {
    const r = await runCli(['sites', '--probe', 'ps', '--data-dir', join(dir, 'data')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/ps has no lists to probe/);
    expect(r.stderr).toMatch(/nothing to probe/);
  });
});

describe('xjwatch sites --probe behind JavaScript challenges', () => {
  let cx: RunningFixtures;
  beforeAll(async () => {
    cx = await startFixtureSites({ challenges: true, hostile: false });
  });
  afterAll(async () => cx?.close());

  it('passes the challenge in the browser and reads the lists; a challenge no browser passes is unreachable, not broken', async () => {
    const cdir = tempDir('xjwatch-probe-challenge-');
    const data = join(cdir, 'data');
    cx.writeSiteFiles(join(data, 'sites'));
    const r = await runCli(['sites', '--probe', 'ruishu', 'jslist', 'wall', '--json', '--data-dir', data]);
    const by = (site: string) => r.json.filter((l) => l.site === site);
    for (const id of ['ruishu', 'jslist', 'wall']) expect(by(id).length, `${id} probed`).toBeGreaterThan(0);
    expect(by('ruishu').map((l) => l.verdict), r.stderr).toEqual(by('ruishu').map(() => 'pass'));
    expect(by('ruishu')[0].samples[0].title).toBeTruthy();
    expect(by('jslist').map((l) => l.verdict), JSON.stringify(by('jslist'))).toEqual(by('jslist').map(() => 'pass'));
    expect(by('wall').map((l) => l.verdict)).toEqual(by('wall').map(() => 'unreachable'));
    expect(by('wall')[0].first.error.kind).toBe('challenge');
    expect(r.code).toBe(1);
  });
});

describe('xjwatch sites --probe of a site with code (a JSON API)', () => {
  let px: RunningFixtures;
  beforeAll(async () => {
    px = await startFixtureSites({ procurement: true, hostile: false });
  });
  afterAll(async () => px?.close());

  it("reads its lists and postings through the site's code: postings, their titles, dates and text", async () => {
    const data = join(tempDir('xjwatch-probe-code-'), 'data');
    const file = px.writeSiteFiles(join(data, 'sites')).procurement!;
    const r = await runCli(['sites', '--probe', file, '--json', '--data-dir', data]);
    expect(r.code, r.stderr + JSON.stringify(r.json)).toBe(0);
    expect(r.json.length).toBeGreaterThan(0);
    for (const l of r.json) {
      expect(l).toMatchObject({ site: 'procurement', verdict: 'pass', first: { method: 'code' } });
      expect(l.first.postings).toBeGreaterThan(0);
      expect(l.samples[0].title).toBeTruthy();
      expect(l.samples[0].published).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(l.samples[0].textChars).toBeGreaterThan(20);
    }
  });
});
