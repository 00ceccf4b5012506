import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import { runCli, tempDir } from '../helpers/cli.js';

/**
 * The browser path through the real CLI and a real Chromium: sites behind JavaScript challenges
 * are crawled as if they had none, a list built by a script is read, a wall is reported as
 * challenge_failed, and new postings with hits get a screenshot and a PDF print.
 */
let fx: RunningFixtures;
let dir: string;
beforeAll(async () => {
  fx = await startFixtureSites({ challenges: true });
  dir = tempDir('xjwatch-browser-');
});
afterAll(async () => fx?.close());

const file = (key: 'ruishu' | 'jiasule' | 'jslist' | 'wall' | 'prefecture', screenshots = false) => {
  const f = join(dir, `${key}.yaml`);
  writeFileSync(f, siteFile(key, fx.sites[key]!, { screenshots }));
  return f;
};

describe('sites behind JavaScript challenges', () => {
  it('a plain HTTP client only ever sees the challenge', async () => {
    for (const key of ['ruishu', 'jiasule', 'wall'] as const) {
      const res = await fetch(fx.sites[key]!.listUrl());
      expect([412, 521]).toContain(res.status);
      expect(await res.text()).not.toContain('通知公告');
    }
  });

  it.each(['ruishu', 'jiasule'] as const)('%s: the postings and their terms are found exactly as on the unchallenged site; the browser is used once', async (key) => {
    const site = fx.sites[key]!;
    const plain = await runCli(['crawl', file('prefecture'), '--json', '--data-dir', join(dir, `plain-${key}`)]);
    const r = await runCli(['crawl', file(key), '--json', '--data-dir', join(dir, key)]);
    expect(r.code).toBe(0);
    const shape = (events: { url: string; title: string; terms: { term: string; count: number }[] }[]) =>
      events.map((e) => [new URL(e.url).pathname, e.title, e.terms.map((t) => `${t.term}×${t.count}`).join(' ')]).sort();
    expect(shape(r.json)).toEqual(shape(plain.json));
    expect(r.json.length).toBe(site.postings.filter(mentionsTrackedTerm).length);
    // one challenge answered to our HTTP client, one pass in the browser; everything else went through with its cookies
    const s = site as unknown as { stats: { challenged: number; passed: number }; challengedPaths: string[] };
    expect(s.stats.challenged, s.challengedPaths.join(' ')).toBeLessThanOrEqual(3);
    expect((site as unknown as { stats: { challenged: number; passed: number } }).stats.passed).toBeGreaterThan(100);
  });

  it('a challenge cookie that expires is earned again in the browser, and the crawl goes on', async () => {
    const site = fx.sites.ruishu!;
    const before = site.stats.challenged;
    site.ttlMs = 2500;
    try {
      const f = join(dir, 'ruishu-slow.yaml');
      writeFileSync(f, siteFile('ruishu', site).replace('delayMs: 0', 'delayMs: 15'));
      const r = await runCli(['crawl', f, '--json', '--data-dir', join(dir, 'ruishu-expiring')]);
      expect(r.code).toBe(0);
      expect(r.json.length, r.stderr).toBe(site.postings.filter(mentionsTrackedTerm).length);
      expect(site.stats.challenged - before).toBeGreaterThanOrEqual(2);
    } finally {
      site.ttlMs = 10 * 60_000;
    }
  });

  it('requests that waited their turn while the browser passed a challenge carry its cookies, and are never counted against them', async () => {
    // the second crawl rechecks every known posting at once: several wait at the host's turn while
    // the first, challenged, is passed in a browser slow to get through (as a loaded machine is)
    const site = fx.sites.ruishu!;
    const data = join(dir, 'ruishu-queued');
    site.reloadAfterMs = 1500;
    try {
      const first = await runCli(['crawl', file('ruishu'), '--json', '--data-dir', data]);
      expect(first.code, first.stderr).toBe(0);
      const before = site.stats.challenged;
      const again = await runCli(['crawl', file('ruishu'), '--json', '--data-dir', data]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/rechecked \d+ known posting/);
      expect(again.stderr).not.toMatch(/failed challenge|came back straight/);
      // the requests already on their way when the pass began, and no more
      expect(site.stats.challenged - before, site.challengedPaths.slice(-10).join(' ')).toBeLessThanOrEqual(5);
    } finally {
      site.reloadAfterMs = 50;
    }
  });

  it('a challenge no browser passes is one challenge_failed event for the site, and never a deletion', async () => {
    const data = join(dir, 'wall');
    const r = await runCli(['crawl', file('wall'), '--json', '--data-dir', data]);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject([{ kind: 'challenge_failed', scope: 'site', reason: 'challenge' }]);
    expect(r.stderr).toMatch(/challenge did not clear within 5 s/);
    const again = await runCli(['crawl', file('wall'), '--json', '--data-dir', data]);
    expect(again.json).toEqual([]);
  });
});

describe('a list built by JavaScript', () => {
  it('is read as the browser renders it', async () => {
    const site = fx.sites.jslist!;
    const r = await runCli(['crawl', file('jslist'), '--json', '--data-dir', join(dir, 'jslist')]);
    expect(r.code).toBe(0);
    expect(r.json.map((e) => e.url).sort()).toEqual(site.postings.filter(mentionsTrackedTerm).map((p) => site.postingUrl(p)).sort());
  });
});

describe('screenshots and PDF prints', () => {
  it('every new posting with hits gets a full-page PNG and a PDF, stored as blobs and listed by history', async () => {
    const data = join(dir, 'shots');
    const r = await runCli(['crawl', file('ruishu', true), '--max-pages', '1', '--json', '--data-dir', data]);
    expect(r.code).toBe(0);
    expect(r.json.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(new RegExp(`${r.json.length} screenshot\\(s\\) and PDF print\\(s\\) made`));
    const h = await runCli(['history', r.json[0].url, '--json', '--data-dir', data]);
    const pic = h.json.find((x) => x.type === 'rendering');
    expect(pic).toMatchObject({ of: { capture: 1 }, png: expect.stringMatching(/^[0-9a-f]{64}$/), pdf: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const blob = (sha: string) => readFileSync(join(data, 'blobs', 'sha256', sha.slice(0, 2), sha.slice(2, 4), sha));
    expect(blob(pic.png).subarray(1, 4).toString()).toBe('PNG');
    expect(blob(pic.pdf).subarray(0, 5).toString()).toBe('%PDF-');
  });
});

describe('a browser that cannot start', () => {
  it.each([
    ['missing', '/nonexistent/chromium', /XJWATCH_CHROMIUM names \/nonexistent\/chromium, which does not exist/],
    ['broken', '/bin/false', /Chromium at \/bin\/false could not start \(it exited with code 1\)/],
  ])('%s: said once at once, naming the path and the fix; the challenged site is blocked with that reason, exit 1', async (_, path, why) => {
    const data = join(dir, `no-browser-${_}`);
    const r = await runCli(['crawl', file('ruishu', true), '--json', '--data-dir', data], { env: { XJWATCH_CHROMIUM: path }, timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    const notices = r.stderr.split('\n').filter((l) => l.includes('the browser is needed but cannot start'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(why);
    expect(notices[0]).toContain('npm run setup');
    const blocked = r.json.filter((e) => e.kind === 'challenge_failed');
    expect(blocked).toHaveLength(1);
    expect(blocked[0].scope).toBe('site');
    expect(blocked[0].detail).toMatch(why);
    // nothing was fetched by a browser that never ran
    const h = await runCli(['history', fx.sites.ruishu!.listUrl(), '--json', '--data-dir', data]);
    expect(JSON.stringify(h.json)).toContain('"via":"http"');
    expect(JSON.stringify(h.json)).not.toContain('"via":"browser"');
  });
});
