import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import { classOfIp, classOfName } from '../../src/fetch/address-class.js';
import { runCli, tempDir } from '../helpers/cli.js';

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

  it('classifies addresses: loopback, private, link-local (cloud metadata), public', () => {
    expect(['127.0.0.1', '::1', '0.0.0.0', '::ffff:127.0.0.2'].map(classOfIp)).toEqual(['loopback', 'loopback', 'loopback', 'loopback']);
    expect(['10.1.2.3', '172.16.0.1', '172.31.255.1', '192.168.1.1', '100.64.0.1', 'fd00::1'].map(classOfIp)).toEqual(Array(6).fill('private'));
    expect(['169.254.169.254', 'fe80::1'].map(classOfIp)).toEqual(['link-local', 'link-local']);
    expect(['8.8.8.8', '172.32.0.1', '2001:db8::1'].map(classOfIp)).toEqual(['public', 'public', 'public']);
    expect(['localhost', 'a.localhost', '[::1]', 'www.kashi.gov.cn'].map(classOfName)).toEqual(['loopback', 'loopback', 'loopback', 'public']);
  });
});
