import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openCatalogue } from '../helpers/catalogue.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import { startHttpProxy, type TestProxy } from '../fixtures/http-proxy.js';
import { startSocks5Proxy } from '../fixtures/socks5-proxy.js';
import { startCanary } from '../helpers/canary.js';
import { runCli, tempDir } from '../helpers/cli.js';

/**
 * The browser path through a proxy, with a real Chromium: the Ruishu-challenged imitation crawled
 * through an HTTP proxy that wants a login. The challenge is passed in Chromium through the proxy,
 * the HTTP client goes on through it with the cookies, the browser's records name the proxy and
 * claim no IP, and the login is nowhere. Through a SOCKS5 proxy with a login (which Chromium cannot
 * use) the crawl warns at start and the site is blocked, never fetched by a browser going direct.
 */
const USER = 'browser-proxy-user';
const PASS = 'br0wser-p@ss-never-shown';

let fx: RunningFixtures;
let proxy: TestProxy;
let socks: TestProxy;
let openSocks: TestProxy;
let dir: string;
beforeAll(async () => {
  fx = await startFixtureSites({ challenges: true });
  [proxy, socks, openSocks] = await Promise.all([startHttpProxy({ user: USER, pass: PASS }), startSocks5Proxy({ user: USER, pass: PASS }), startSocks5Proxy()]);
  dir = tempDir('xjwatch-proxy-browser-');
});
afterAll(async () => {
  await Promise.all([fx?.close(), proxy?.close(), socks?.close(), openSocks?.close()]);
});

function allText(d: string): string {
  return readdirSync(d)
    .map((n) => {
      const p = join(d, n);
      if (statSync(p).isDirectory()) return allText(p);
      const raw = readFileSync(p);
      return (n.endsWith('.gz') ? gunzipSync(raw) : raw).toString('latin1');
    })
    .join('\n');
}

describe('the browser through a proxy', () => {
  it('an HTTP proxy with a login: the challenge is passed in Chromium through it, every fetch goes through it, the login nowhere', async () => {
    const site = fx.sites.ruishu!;
    const passedBefore = site.stats.passed;
    const f = join(dir, 'ruishu.yaml');
    writeFileSync(f, `${siteFile('ruishu', site)}proxy: env:XJWATCH_PROXY_CN\n`);
    const data = join(dir, 'ruishu');
    const r = await runCli(['crawl', f, '--json', '--data-dir', data], { env: { XJWATCH_PROXY_CN: proxy.url(USER, PASS) } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.length).toBe(site.postings.filter(mentionsTrackedTerm).length);
    expect(site.stats.passed - passedBefore).toBeGreaterThan(10);
    // Chromium asks an HTTP proxy for plain-http pages in absolute form; the HTTP client tunnels
    expect(proxy.counts.forwarded).toBeGreaterThan(0);
    expect(proxy.counts.tunnels).toBeGreaterThan(0);
    // (Chromium asks without the login first and answers the proxy's 407 with it, as HTTP authentication goes)

    const db = openCatalogue(data);
    const rows = db.prepare('SELECT via, ip FROM fetches').all() as { via: string; ip: string | null }[];
    db.close();
    expect(rows.filter((x) => x.via === 'browser').length).toBeGreaterThan(0);
    expect(rows.every((x) => x.ip === null)).toBe(true);
    const warc = allText(join(data, 'warc'));
    expect(warc).not.toContain('WARC-IP-Address');
    expect(warc).not.toMatch(/Proxy-Authorization/i);
    for (const t of [r.stdout, r.stderr, allText(data)]) {
      for (const s of [PASS, Buffer.from(`${USER}:${PASS}`).toString('base64'), USER]) expect(t.includes(s)).toBe(false);
    }
  });

  it('a SOCKS5 proxy with a login: warned at start, the challenged site blocked with that reason, no browser fetch made around the proxy', async () => {
    const site = fx.sites.ruishu!;
    const passedBefore = site.stats.passed;
    const f = join(dir, 'ruishu-socks.yaml');
    writeFileSync(f, `${siteFile('ruishu', site)}proxy: env:XJWATCH_PROXY_CN\n`);
    const data = join(dir, 'ruishu-socks');
    const r = await runCli(['crawl', f, '--json', '--data-dir', data], { env: { XJWATCH_PROXY_CN: socks.url(USER, PASS) } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`warning: ruishu: Chromium cannot log in to a SOCKS5 proxy \\(${socks.url().replace(/[/.]/g, '\\$&')}, from XJWATCH_PROXY_CN`));
    expect(r.json).toMatchObject([{ kind: 'challenge_failed', scope: 'site' }]);
    expect(site.stats.passed).toBe(passedBefore);
    expect(socks.counts.tunnels).toBeGreaterThan(0); // the HTTP client's requests went through it
    for (const t of [r.stdout, r.stderr, allText(data)]) expect(t.includes(PASS)).toBe(false);
  });

  it('pictures of a proxied site are replays in the direct browser: a page that names another host reaches it neither directly nor through the proxy', async () => {
    const canary = await startCanary();
    try {
      const county = fx.sites.county;
      const c = `http://localhost:${canary.port}`;
      const victim = county.postings.find(mentionsTrackedTerm)!;
      const path = new URL(county.postingUrl(victim)).pathname;
      county.fail(path, {
        status: 200,
        body: `<!DOCTYPE html><html><head><meta charset="utf-8"><title>关于卫星工厂建设的通知</title><link rel="preconnect" href="${c}"><link rel="stylesheet" href="${c}/evil.css"></head><body><form><h1>关于卫星工厂建设的通知</h1></form><div id="vsb_content"><p>经研究决定，在兰干村新建卫星工厂一座。</p><img src="${c}/pixel.gif"></div><script>fetch('${c}/x').catch(() => {})</script></body></html>`,
      });
      const f = join(dir, 'county.yaml');
      writeFileSync(f, `${siteFile('county', county, { screenshots: true })}proxy: env:XJWATCH_PROXY_CN\n`);
      // a SOCKS5 proxy without a login: Chromium uses it, and a preconnect through it would be a tunnel
      const r = await runCli(['crawl', f, '--max-pages', '1', '--json', '--data-dir', join(dir, 'county')], { env: { XJWATCH_PROXY_CN: openSocks.url() }, timeoutMs: 180_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/screenshot\(s\) and PDF print\(s\) made/);
      await new Promise((res) => setTimeout(res, 300));
      expect(canary.connections()).toBe(0);
      expect([...openSocks.counts.targets.keys()].filter((t) => t.endsWith(`:${canary.port}`))).toEqual([]);
      expect(openSocks.counts.tunnels).toBeGreaterThan(0);
    } finally {
      await canary.close();
    }
  });
});
