import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openCatalogue } from '../helpers/catalogue.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { mentionsTrackedTerm, type FixtureSite } from '../../src/demo/sites/site.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { Watching } from '../helpers/watching.js';
import { startHttpProxy } from '../fixtures/http-proxy.js';

/**
 * A watch list over the imitation sites: pages on a site with a site file (county), on sites
 * without one (prefecture, aspnet: pinned-only sites of their hosts) and on a host nothing
 * answers on (a site file with no retries, so that the test does not wait). `crawl <list>`
 * captures each page once, rechecks them the next time, walks no list page, and calls an outage
 * unreachable, never a deletion; `watch` pins the lists of the data directory.
 */
let fx: RunningFixtures;
let dir: string;
let data: string;
let settings: string;
let dead: string;
const listed: { site: FixtureSite; url: string }[] = [];
const path = (url: string) => new URL(url).pathname + new URL(url).search;
/** requests for the listed page itself (a control may share its path: PublicInfoShow.aspx?ID=…) */
const asked = (l: { site: FixtureSite; url: string }) => l.site.log.filter((e) => e.path === path(l.url)).length;
const db = () => openCatalogue(data);
const lastRun = () => {
  const d = db();
  const id = (d.prepare(`SELECT max(id) AS id FROM runs`).get() as { id: number }).id;
  d.close();
  return id;
};
const checksIn = (runId: number) => {
  const d = db();
  const rows = d.prepare(`SELECT p.url, p.kind, c.outcome FROM checks c JOIN pages p ON p.id = c.page_id WHERE c.run_id = ? ORDER BY p.url`).all(runId) as { url: string; kind: string; outcome: string }[];
  d.close();
  return rows;
};
const attachmentsKnown = () => {
  const d = db();
  const rows = d.prepare(`SELECT url FROM pages WHERE kind = 'attachment' ORDER BY url`).all() as { url: string }[];
  d.close();
  return rows.map((r) => r.url);
};
const crawl = (...extra: string[]) => runCli(['crawl', 'cited', '--no-screenshots', '--json', '--data-dir', data, '--config', settings, ...extra]);
const live = () => listed.map((l) => l.url).sort();

beforeAll(async () => {
  fx = await startFixtureSites({ countyPostings: 8, hostile: false });
  for (const s of fx.all) s.liveCounters = false;
  dir = tempDir('xjwatch-watchlist-cli-');
  data = join(dir, 'data');
  settings = join(dir, 'settings.yaml');
  writeFileSync(settings, 'revisit: { pinnedHours: 0.0002 }\n');
  const { county, prefecture, aspnet } = fx.sites;
  for (const site of [county, county, prefecture, aspnet] as FixtureSite[]) {
    const p = site.postings.filter(mentionsTrackedTerm).find((x) => !listed.some((l) => l.url === site.postingUrl(x)))!;
    listed.push({ site, url: site.postingUrl(p) });
  }
  // a port nothing listens on
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  dead = `http://127.0.0.1:${port}/info/1103/1.htm`;
  mkdirSync(join(data, 'sites'), { recursive: true });
  writeFileSync(join(data, 'sites', 'county.yaml'), siteFile('county', county));
  writeFileSync(join(data, 'sites', 'gone.yaml'), `id: gone\nname: a county site that is down\nhome: http://127.0.0.1:${port}/\nlists:\n  - url: http://127.0.0.1:${port}/list.htm\nretries: { count: 0, backoffMs: 0 }\ntimeoutMs: 3000\nscreenshots: false\n`);
  const urls = join(dir, 'cited.txt');
  writeFileSync(urls, `# pages a report cites\n${listed.map((l) => l.url).join('\n')}\n${dead}  # already gone?\n`);
  const r = await runCli(['import', urls, '--name', 'cited', '--hosts', '127.0.0.1', '--data-dir', data]);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => fx?.close());

describe('crawl <watch list>', () => {
  it('captures each listed page once, walks no list page, and reports the host that does not answer as unreachable', async () => {
    const r = await crawl();
    expect(r.code, r.stderr).toBe(1);
    for (const l of listed) expect(asked(l), l.url).toBe(1);
    for (const s of [fx.sites.county, fx.sites.prefecture, fx.sites.aspnet] as FixtureSite[]) expect(s.hits.get(new URL(s.listUrl()).pathname) ?? 0).toBe(0);
    expect(r.json.filter((e) => e.kind === 'new_posting').map((e) => e.url).sort()).toEqual(live());
    expect(r.stderr).toMatch(/watch list cited: 5 page\(s\): 4 captured, 1 not captured/);
    expect(r.stderr).toContain(`${dead}: not captured (refused: connection refused`);
    expect(r.stderr).toMatch(/ {2}gone: UNREACHABLE — none of its listed pages answered/);
    expect(r.json.filter((e) => e.kind === 'deleted' || e.kind === 'suspected_deletion')).toEqual([]);
    // nothing known yet, so no controls
    for (const l of listed) expect(l.site.log.filter((e) => e.path === '/').length).toBe(0);
  });

  it('rechecks them the next time (with controls), captures nothing twice', async () => {
    const r = await crawl();
    expect(r.code, r.stderr).toBe(1);
    // the cited pages, and the files they link, checked with them
    const checked = checksIn(lastRun());
    expect(checked.filter((c) => c.kind === 'posting').map((c) => c.url)).toEqual(live());
    expect(attachmentsKnown().length).toBeGreaterThan(0);
    expect(checked.filter((c) => c.kind === 'attachment').map((c) => c.url)).toEqual(attachmentsKnown());
    expect(checked.every((c) => c.outcome === 'unchanged' || c.outcome === 'not_modified')).toBe(true);
    for (const l of listed) expect(asked(l), l.url).toBe(2);
    // each site's home page answered as a control, at the time of the checks
    for (const l of listed) expect(l.site.log.filter((e) => e.path === '/').length).toBe(1);
    expect(r.json.filter((e) => listed.some((l) => l.url === e.url))).toEqual([]);
    expect(r.stderr).toMatch(/watch list cited: 5 page\(s\): 4 unchanged, 1 not captured/);
    const d = db();
    const captures = d.prepare(`SELECT p.url, count(*) AS n FROM captures c JOIN pages p ON p.id = c.page_id GROUP BY p.url`).all() as { url: string; n: number }[];
    d.close();
    expect(captures.filter((c) => listed.some((l) => l.url === c.url)).map((c) => c.n)).toEqual([1, 1, 1, 1]);
  });

  it('a site that goes down is unreachable on every check, never suspected or deleted', async () => {
    fx.sites.county.down = { status: 503 };
    try {
      const kinds: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await crawl('--confirm-after', '2');
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(/ {2}county: UNREACHABLE — none of its listed pages answered/);
        const county = listed.filter((l) => l.site === fx.sites.county).map((l) => l.url);
        expect(checksIn(lastRun()).filter((c) => county.includes(c.url)).map((c) => c.outcome)).toEqual(['unreachable', 'unreachable']);
        kinds.push(...r.json.filter((e) => e.site === 'county').map((e) => e.kind));
      }
      expect(kinds).toContain('unreachable');
      expect(kinds.filter((k) => k === 'deleted' || k === 'suspected_deletion')).toEqual([]);
    } finally {
      fx.sites.county.down = undefined;
    }
  });

  it('through a proxy that reaches none of the hosts, every site of the list is unreachable and the crawl says so (exit 1)', async () => {
    const fresh = join(dir, 'through-proxy');
    for (const d of ['sites', 'lists']) cpSync(join(data, d), join(fresh, d), { recursive: true });
    const hosts = [...new Set([...listed.map((l) => new URL(l.url).host), new URL(dead).host])];
    const proxy = await startHttpProxy({ forbid: hosts });
    try {
      const r = await runCli(['crawl', 'cited', '--no-screenshots', '--json', '--data-dir', fresh, '--config', settings], { env: { XJWATCH_PROXY: proxy.url() } });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/watch list cited: 5 page\(s\): 5 not captured/);
      expect(proxy.counts.connections, 'every request went to the proxy').toBeGreaterThan(0);
      const down = [...r.stderr.matchAll(/ {2}(\S+): UNREACHABLE — none of its listed pages answered/g)].map((m) => m[1]).sort();
      expect(down.length, r.stderr).toBe(new Set(listed.map((l) => l.site)).size + 1);
      expect(r.json.filter((e) => e.kind === 'deleted' || e.kind === 'suspected_deletion')).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('a site named in full is walked, with the list\'s pages on it pinned', async () => {
    const r = await runCli(['crawl', 'county', '--no-screenshots', '--json', '--data-dir', data, '--config', settings]);
    expect(r.code, r.stderr).toBe(0);
    expect(fx.sites.county.hits.get(new URL(fx.sites.county.listUrl()).pathname)).toBeGreaterThanOrEqual(1);
    const d = db();
    const pinned = (d.prepare(`SELECT url FROM pages WHERE pinned = 1 AND site_id = 'county' ORDER BY url`).all() as { url: string }[]).map((p) => p.url);
    d.close();
    expect(pinned).toEqual(listed.filter((l) => l.site === fx.sites.county).map((l) => l.url).sort());
  });
});

describe('watch with a watch list in the data directory', () => {
  it('runs a pinned-only site per host without a site file: no list page, its listed pages rechecked when due', async () => {
    const pref = `127-0-0-1-${new URL(fx.sites.prefecture.base).port}`;
    const asp = `127-0-0-1-${new URL(fx.sites.aspnet.base).port}`;
    const w = new Watching(['--now', '--json', '--data-dir', data, '--config', settings]);
    try {
      await w.until('the pinned-only sites\' first runs', () => [pref, asp].every((id) => new RegExp(`xjwatch: ${id}: run ok`).test(w.stderr)));
    } finally {
      expect(await w.stop()).toBe(0);
    }
    expect(w.stderr).toMatch(new RegExp(`watching ${pref} on "0 \\*/6 \\* \\* \\*"`));
    expect(w.stderr).toMatch(new RegExp(`${pref}: run ok: 0 new posting\\(s\\) \\(0 reported\\), 0 list page\\(s\\), 1 recheck\\(s\\): 0 changed, 0 gone, 0 unreachable`));
    expect(w.stderr).toMatch(new RegExp(`${asp}: run ok: .*0 list page\\(s\\), 1 recheck\\(s\\)`));
    expect(fx.sites.prefecture.hits.get(new URL(fx.sites.prefecture.listUrl()).pathname) ?? 0).toBe(0);
    const d = db();
    const pinned = (d.prepare(`SELECT url FROM pages WHERE pinned = 1 ORDER BY url`).all() as { url: string }[]).map((p) => p.url);
    d.close();
    expect(pinned).toEqual(live());
  });
});
