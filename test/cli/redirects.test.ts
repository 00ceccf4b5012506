import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import { classOfIp, classOfName } from '../../src/fetch/address-class.js';
import { runCli, tempDir } from '../helpers/cli.js';

/**
 * The county fixture as the world sees it: under the made-up name county.test (pinned to the
 * fixture's address by `resolve:`, as other names may be), with `extra` lines appended.
 */
function namedCounty(fixture: RunningFixtures, names: string[], extra = '', name = 'county.test'): { file: string; dir: string; url: (path: string) => string } {
  const county = fixture.sites.county;
  const host = new URL(county.base).host;
  const port = host.split(':')[1];
  const pins = [name, ...names].map((n) => `  ${n}: 127.0.0.1\n`).join('');
  const text = siteFile('county', county).replaceAll(`http://${host}`, `http://${name}:${port}`) + `resolve:\n${pins}${extra}`;
  const dir = tempDir('xjwatch-redirect-hosts-');
  const file = join(dir, 'county.yaml');
  writeFileSync(file, text);
  return { file, dir, url: (path) => `http://${name}:${port}${path}` };
}

let fx: RunningFixtures;
let secret: http.Server;
let secretHits = 0;
beforeAll(async () => {
  fx = await startFixtureSites({ countyPostings: 12, hostile: false });
  // another service on the same machine, which a site's redirect must not reach
  secret = http.createServer((_, res) => {
    secretHits++;
    res.end('<html><head><title>内部管理系统</title></head><body>教培中心 卫星工厂 internal secrets</body></html>');
  });
  await new Promise<void>((r) => secret.listen(0, '127.0.0.1', () => r()));
});
afterAll(async () => {
  await fx?.close();
  await new Promise((r) => secret.close(r));
});

describe('where a redirect may go', () => {
  it('a public site that redirects a posting to this machine: refused before anything is sent, recorded with the reason, never captured as the posting', async () => {
    const county = fx.sites.county;
    const port = (secret.address() as AddressInfo).port;
    const victim = county.postings.find(mentionsTrackedTerm)!;
    const path = new URL(county.postingUrl(victim)).pathname;
    county.faults.set(path, Array.from({ length: 5 }, () => ({ redirect: `http://127.0.0.1:${port}/admin` })));
    // the site as the world sees it: a name (pinned to the fixture's address, as `resolve:` allows)
    const host = new URL(county.base).host;
    const named = siteFile('county', county).replaceAll(`http://${host}`, `http://county.test:${host.split(':')[1]}`) + `resolve:\n  county.test: 127.0.0.1\n`;
    const dir = tempDir('xjwatch-redirect-');
    writeFileSync(join(dir, 'county.yaml'), named);
    const r = await runCli(['crawl', join(dir, 'county.yaml'), '--json', '--no-screenshots', '--data-dir', join(dir, 'data')]);
    county.faults.delete(path);
    expect(secretHits).toBe(0);
    expect(r.stderr).toContain(`a redirect to 127.0.0.1:${port} (127.0.0.1, a loopback address) from a public site is not followed`);
    expect(r.json.map((e) => new URL(e.url).pathname)).not.toContain(path);
    expect(r.json.length).toBe(county.postings.filter(mentionsTrackedTerm).length - 1);
    expect(JSON.stringify(r.json)).not.toContain('internal secrets');
  });

  it('a site on this machine may redirect within it (the imitation sites, a mirror on the LAN)', async () => {
    const county = fx.sites.county;
    const port = (secret.address() as AddressInfo).port;
    const victim = county.postings.find(mentionsTrackedTerm)!;
    const path = new URL(county.postingUrl(victim)).pathname;
    county.faults.set(path, [{ redirect: `http://127.0.0.1:${port}/moved` }]);
    const dir = tempDir('xjwatch-redirect-local-');
    writeFileSync(join(dir, 'county.yaml'), siteFile('county', county));
    const before = secretHits;
    const r = await runCli(['crawl', join(dir, 'county.yaml'), '--json', '--no-screenshots', '--data-dir', join(dir, 'data')]);
    county.faults.delete(path);
    expect(r.code).toBe(0);
    expect(secretHits).toBe(before + 1);
  });

  it('a redirect to an unrelated host the site file does not list: not followed, kept as an exchange with the reason', async () => {
    const county = fx.sites.county;
    const port = (secret.address() as AddressInfo).port;
    const victim = county.postings.find(mentionsTrackedTerm)!;
    const path = new URL(county.postingUrl(victim)).pathname;
    county.faults.set(path, Array.from({ length: 5 }, () => ({ redirect: `http://elsewhere.test:${port}/moved` })));
    const site = namedCounty(fx, ['elsewhere.test']);
    const data = join(site.dir, 'data');
    const before = secretHits;
    const r = await runCli(['crawl', site.file, '--json', '--no-screenshots', '--data-dir', data]);
    county.faults.delete(path);
    expect(secretHits).toBe(before);
    const why = `a redirect to elsewhere.test:${port} leaves the site (county.test) and is not followed`;
    expect(r.stderr).toContain(why);
    expect(r.json.map((e) => new URL(e.url).pathname)).not.toContain(path);
    // the 302 itself is kept, and its record says why its Location was not fetched
    const h = await runCli(['history', site.url(path), '--json', '--data-dir', data]);
    const hop = h.json.find((x) => x.status === 302);
    expect(hop).toMatchObject({ type: 'fetch', error: { kind: 'redirect_offsite' } });
    expect(hop.error.message).toContain(why);
  });

  it('a host listed in redirects.hosts (or matched by a *. pattern) is followed', async () => {
    const county = fx.sites.county;
    const port = (secret.address() as AddressInfo).port;
    const victim = county.postings.find(mentionsTrackedTerm)!;
    const path = new URL(county.postingUrl(victim)).pathname;
    for (const [target, hosts] of [['elsewhere.test', '[elsewhere.test]'], ['files.other.test', '["*.other.test"]']] as const) {
      county.faults.set(path, [{ redirect: `http://${target}:${port}/moved` }]);
      const site = namedCounty(fx, [target], `redirects: { hosts: ${hosts} }\n`);
      const before = secretHits;
      const r = await runCli(['crawl', site.file, '--json', '--no-screenshots', '--data-dir', join(site.dir, 'data')]);
      county.faults.delete(path);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('is not followed');
      expect(secretHits).toBe(before + 1);
    }
  });

  it('a redirect within the site (a subdomain, the parent domain, a sibling) is followed without being listed', async () => {
    const county = fx.sites.county;
    const port = (secret.address() as AddressInfo).port;
    const victim = county.postings.find(mentionsTrackedTerm)!;
    const path = new URL(county.postingUrl(victim)).pathname;
    for (const [name, target] of [['county.test', 'static.county.test'], ['www.county.test', 'county.test'], ['www.county.test', 'static.county.test']] as const) {
      county.faults.set(path, [{ redirect: `http://${target}:${port}/files/moved.htm` }]);
      const site = namedCounty(fx, [target], '', name);
      const before = secretHits;
      const r = await runCli(['crawl', site.file, '--json', '--no-screenshots', '--data-dir', join(site.dir, 'data')]);
      county.faults.delete(path);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('is not followed');
      expect(secretHits, `${name} -> ${target}`).toBe(before + 1);
    }
  });

  it('a known posting that now redirects to an unrelated host\'s home page is a suspected deletion (redirect_home), not an outage', async () => {
    const county = fx.sites.county;
    const port = (secret.address() as AddressInfo).port;
    const victim = county.postings.find(mentionsTrackedTerm)!;
    const path = new URL(county.postingUrl(victim)).pathname;
    const site = namedCounty(fx, ['www.portal.test']);
    const data = join(site.dir, 'data');
    const first = await runCli(['crawl', site.file, '--json', '--no-screenshots', '--data-dir', data]);
    expect(first.json.map((e) => new URL(e.url).pathname)).toContain(path);
    county.faults.set(path, Array.from({ length: 5 }, () => ({ redirect: `http://www.portal.test:${port}/` })));
    const before = secretHits;
    const second = await runCli(['crawl', site.file, '--json', '--no-screenshots', '--data-dir', data]);
    county.faults.delete(path);
    expect(secretHits).toBe(before);
    const e = second.json.find((x) => new URL(x.url).pathname === path);
    expect(e, second.stderr).toMatchObject({ kind: 'suspected_deletion', reason: 'redirect_home' });
    expect(e.detail ?? JSON.stringify(e)).toContain(`www.portal.test:${port}/`);
  });

  it('classifies addresses: loopback, private, link-local (cloud metadata), public', () => {
    expect(['127.0.0.1', '::1', '0.0.0.0', '::ffff:127.0.0.2'].map(classOfIp)).toEqual(['loopback', 'loopback', 'loopback', 'loopback']);
    expect(['10.1.2.3', '172.16.0.1', '172.31.255.1', '192.168.1.1', '100.64.0.1', 'fd00::1'].map(classOfIp)).toEqual(Array(6).fill('private'));
    expect(['169.254.169.254', 'fe80::1'].map(classOfIp)).toEqual(['link-local', 'link-local']);
    expect(['8.8.8.8', '172.32.0.1', '2001:db8::1'].map(classOfIp)).toEqual(['public', 'public', 'public']);
    expect(['localhost', 'a.localhost', '[::1]', 'www.kashi.gov.cn'].map(classOfName)).toEqual(['loopback', 'loopback', 'loopback', 'public']);
  });
});
