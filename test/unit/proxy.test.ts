import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseProxy, parseProxyUrl } from '../../src/config/proxy-setting.js';
import { loadSiteFile } from '../../src/config/site-file.js';
import { classify } from '../../src/detect/classify.js';
import { FinalFetchError, RetryableFetchError } from '../../src/fetch/errors.js';
import type { Exchange } from '../../src/fetch/exchange.js';
import { RecordingHttpClient } from '../../src/fetch/http-client.js';
import type { ProxyServer } from '../../src/fetch/proxy/proxy-server.js';
import { startHttpProxy, type TestProxy } from '../fixtures/http-proxy.js';
import { startSocks5Proxy } from '../fixtures/socks5-proxy.js';
import { tempDir } from '../helpers/cli.js';

const USER = 'researcher';
const PASS = 'p@ss:w0rd/never-shown';

/** An origin on 127.0.0.1, over http and https (a self-signed certificate, as many government sites have). */
let plain: http.Server;
let secure: https.Server;
let plainPort: number;
let securePort: number;
const seen: { path: string; host: string; proxyAuth: string | undefined }[] = [];

beforeAll(async () => {
  const dir = tempDir('xjwatch-proxy-cert-');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=www.site.test'], { stdio: 'ignore' });
  const handler: http.RequestListener = (req, res) => {
    seen.push({ path: req.url ?? '', host: String(req.headers.host), proxyAuth: req.headers['proxy-authorization'] });
    if (req.url === '/to-lan') return void res.writeHead(302, { Location: 'http://10.0.0.1/admin' }).end();
    if (req.url === '/to-loopback') return void res.writeHead(302, { Location: `http://127.0.0.1:${plainPort}/` }).end();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<html><body>卫星工厂 ${req.url}</body></html>`);
  };
  plain = http.createServer(handler);
  secure = https.createServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, handler);
  await Promise.all([plain, secure].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))));
  plainPort = (plain.address() as AddressInfo).port;
  securePort = (secure.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const s of [plain, secure]) s.closeAllConnections();
  await Promise.all([plain, secure].map((s) => new Promise<void>((r) => s.close(() => r()))));
});

function clientThrough(proxy: ProxyServer | undefined, extra: Partial<ConstructorParameters<typeof RecordingHttpClient>[0]> = {}) {
  const kept: Exchange[] = [];
  const client = new RecordingHttpClient({ userAgent: 'xjwatch-test', perHost: 1, delayMs: 0, timeoutMs: 4000, maxBodyBytes: 1 << 20, sink: (ex) => void kept.push(ex), proxy, ...extra });
  return { client, kept };
}

const fetchOnce = (client: RecordingHttpClient, url: string) => client.fetchTask({ url, purpose: { siteId: 't', label: 'check' } });

const kinds = [
  { name: 'HTTP CONNECT', start: startHttpProxy },
  { name: 'SOCKS5', start: startSocks5Proxy },
] as const;

describe.each(kinds)('through a $name proxy', ({ start }) => {
  let proxy: TestProxy;
  let withLogin: TestProxy;
  // the proxy's own DNS: *.site.test resolves only there
  const hosts = { 'www.site.test': '127.0.0.1' };
  beforeAll(async () => {
    [proxy, withLogin] = await Promise.all([start({ hosts }), start({ hosts, user: USER, pass: PASS })]);
  });
  afterAll(async () => {
    await Promise.all([proxy.close(), withLogin.close()]);
  });

  it('fetches http and https by name, the proxy resolving it; a kept-alive tunnel per origin; the origin IP unknown, the proxy recorded instead', async () => {
    proxy.counts.reset();
    const { client, kept } = clientThrough(parseProxyUrl(proxy.url(), 'XJWATCH_PROXY'), { redirects: { siteHosts: ['www.site.test'], hosts: [] } });
    try {
      for (const url of [`http://www.site.test:${plainPort}/a`, `http://www.site.test:${plainPort}/b`, `https://www.site.test:${securePort}/c`]) {
        const a = await fetchOnce(client, url);
        expect(a.status).toBe(200);
        expect(a.chain[0]!.response!.body.toString()).toContain(`卫星工厂 ${new URL(url).pathname}`);
      }
    } finally {
      client.close();
    }
    expect(proxy.counts.tunnels).toBe(2); // one for http, one for https: /b reused /a's
    expect([...proxy.counts.targets.keys()].sort()).toEqual([`www.site.test:${plainPort}`, `www.site.test:${securePort}`].sort());
    expect(proxy.counts.resolvedNames).toEqual(new Set(['www.site.test']));
    for (const ex of kept) {
      expect(ex.ip).toBeUndefined();
      expect(ex.proxy).toEqual({ url: proxy.url(), ip: '127.0.0.1' });
      // the request recorded is the one the origin got: origin-form, its own Host
      expect(ex.requestHeaders.find(([k]) => k === 'Host')![1]).toBe(new URL(ex.url).host);
    }
  });

  it('logs in with the credentials of the setting; they reach the proxy only, never the origin or a record', async () => {
    withLogin.counts.reset();
    seen.length = 0;
    const { client, kept } = clientThrough(parseProxyUrl(withLogin.url(USER, PASS), 'XJWATCH_PROXY_CN'));
    try {
      expect((await fetchOnce(client, `http://127.0.0.1:${plainPort}/in`)).status).toBe(200);
      expect((await fetchOnce(client, `https://127.0.0.1:${securePort}/in`)).status).toBe(200);
    } finally {
      client.close();
    }
    expect(withLogin.counts.tunnels).toBe(2);
    expect(withLogin.counts.loginsRefused).toBe(0);
    expect(seen.every((s) => s.proxyAuth === undefined)).toBe(true);
    const recorded = JSON.stringify(kept.map((e) => ({ ...e, response: { ...e.response, body: e.response?.body.toString() } })));
    expect(recorded).not.toContain(encodeURIComponent(PASS));
    expect(recorded).not.toContain(PASS);
    expect(recorded).not.toContain(Buffer.from(`${USER}:${PASS}`).toString('base64'));
  });

  it('a refused login is a final proxy error naming the proxy and the variable, without the password', async () => {
    const { client, kept } = clientThrough(parseProxyUrl(withLogin.url(USER, 'wrong-password'), 'XJWATCH_PROXY_CN'));
    const e = await fetchOnce(client, `http://127.0.0.1:${plainPort}/x`).catch((x: unknown) => x);
    client.close();
    expect(e).toBeInstanceOf(FinalFetchError);
    expect((e as FinalFetchError).kind).toBe('proxy');
    expect((e as Error).message).toContain(`proxy ${withLogin.url()} refused the user name and password from XJWATCH_PROXY_CN`);
    expect((e as Error).message).not.toContain('wrong-password');
    expect(kept[0]!.error).toMatchObject({ kind: 'proxy', final: true });
    expect(kept[0]!.response).toBeUndefined();
    // no login at all, to a proxy that wants one
    const bare = clientThrough(parseProxyUrl(withLogin.url(), 'XJWATCH_PROXY'));
    const e2 = await fetchOnce(bare.client, `http://127.0.0.1:${plainPort}/x`).catch((x: unknown) => x);
    bare.client.close();
    expect((e2 as Error).message).toMatch(/wants a user name and password.*XJWATCH_PROXY/);
  });

  it('a proxy that is down is a retryable proxy error, and a destination it refuses a final one', async () => {
    const down = await start();
    const url = down.url();
    await down.close();
    const { client } = clientThrough(parseProxyUrl(url, 'XJWATCH_PROXY'));
    const e = await fetchOnce(client, `http://127.0.0.1:${plainPort}/x`).catch((x: unknown) => x);
    client.close();
    expect(e).toBeInstanceOf(RetryableFetchError);
    expect((e as RetryableFetchError).kind).toBe('proxy');
    expect((e as Error).message).toMatch(new RegExp(`^proxy ${url.replace(/[/.]/g, '\\$&')} \\(XJWATCH_PROXY\\) is not reachable \\(connection refused\\)`));

    const strict = await start({ forbid: [`127.0.0.1:${plainPort}`] });
    const s = clientThrough(parseProxyUrl(strict.url(), 'XJWATCH_PROXY'));
    const e2 = await fetchOnce(s.client, `http://127.0.0.1:${plainPort}/x`).catch((x: unknown) => x);
    s.client.close();
    await strict.close();
    expect(e2).toBeInstanceOf(FinalFetchError);
    expect((e2 as Error).message).toMatch(new RegExp(`^proxy ${strict.url().replace(/[/.]/g, '\\$&')} (refused to connect|could not connect) to 127\\.0\\.0\\.1:${plainPort}`));
  });

  it('the address guard still refuses literal private and loopback addresses for a public site; a name pinned by resolve: is tunnelled to its address', async () => {
    proxy.counts.reset();
    const { client, kept } = clientThrough(parseProxyUrl(proxy.url(), 'XJWATCH_PROXY'), { redirects: { siteHosts: ['www.site.test'], hosts: ['*'] } });
    try {
      const lan = await fetchOnce(client, `http://www.site.test:${plainPort}/to-lan`).catch((x: unknown) => x);
      expect((lan as Error).message).toMatch(/redirect to 10\.0\.0\.1 \(10\.0\.0\.1, a private address\) from a public site is not followed/);
      const loop = await fetchOnce(client, `http://www.site.test:${plainPort}/to-loopback`).catch((x: unknown) => x);
      expect((loop as Error).message).toMatch(/a loopback address\) from a public site is not followed/);
    } finally {
      client.close();
    }
    expect([...proxy.counts.targets.keys()]).toEqual([`www.site.test:${plainPort}`]);
    expect(kept.filter((e) => e.error?.kind === 'redirect_refused')).toHaveLength(2);

    proxy.counts.reset();
    const pinned = clientThrough(parseProxyUrl(proxy.url(), 'XJWATCH_PROXY'), { resolve: { 'pinned.example': '127.0.0.1' }, redirects: { siteHosts: ['pinned.example'], hosts: [] } });
    try {
      expect((await fetchOnce(pinned.client, `http://pinned.example:${plainPort}/p`)).status).toBe(200);
    } finally {
      pinned.client.close();
    }
    expect([...proxy.counts.targets.keys()]).toEqual([`127.0.0.1:${plainPort}`]);
    expect(pinned.kept[0]!.requestHeaders.find(([k]) => k === 'Host')![1]).toBe(`pinned.example:${plainPort}`);
  });
});

describe('proxy settings', () => {
  const site = (extra: string) => {
    const dir = tempDir('xjwatch-proxy-site-');
    const f = join(dir, 's.yaml');
    writeFileSync(f, `id: s\nname: S\nhome: http://www.site.test/\nlists:\n  - url: http://www.site.test/list/\n${extra}`);
    return f;
  };

  it('XJWATCH_PROXY for every site, a site file\'s proxy: over it, none for direct', () => {
    const env = { XJWATCH_PROXY: `socks5h://${USER}:${encodeURIComponent(PASS)}@127.0.0.1:1080` };
    const p = chooseProxy(undefined, env)!;
    expect(p).toMatchObject({ protocol: 'socks5', host: '127.0.0.1', port: 1080, shown: 'socks5://127.0.0.1:1080', from: 'XJWATCH_PROXY' });
    expect(p.auth!()).toEqual({ username: USER, password: PASS });
    expect(chooseProxy('none', env)).toBeUndefined();
    expect(chooseProxy('http://10.1.2.3:3128', env)).toMatchObject({ protocol: 'http', shown: 'http://10.1.2.3:3128', from: 'the site file' });
    expect(chooseProxy('env:XJWATCH_PROXY_CN', { ...env, XJWATCH_PROXY_CN: 'http://u:p@[::1]:3128' })).toMatchObject({ host: '::1', shown: 'http://[::1]:3128', from: 'XJWATCH_PROXY_CN' });
    expect(chooseProxy(undefined, {})).toBeUndefined();
  });

  it('credentials never serialise: JSON, util.inspect and a loaded site show the URL without them', () => {
    const f = site('proxy: env:XJWATCH_PROXY_CN\n');
    const s = loadSiteFile(f, { XJWATCH_PROXY_CN: `http://${USER}:${encodeURIComponent(PASS)}@127.0.0.1:3128` });
    expect(s.proxy!.shown).toBe('http://127.0.0.1:3128');
    for (const text of [JSON.stringify(s), inspect(s, { depth: 10 }), String(s.proxy)]) {
      expect(text).not.toContain(PASS);
      expect(text).not.toContain(encodeURIComponent(PASS));
      expect(text).not.toContain(USER);
    }
  });

  it('refuses a site file with credentials, naming the file and line, and never echoing them', () => {
    for (const value of [`socks5://${USER}:hunter2@127.0.0.1:1080`, `http://${USER}@127.0.0.1:3128`]) {
      const f = site(`timezone: Asia/Shanghai\nproxy: ${value}\n`);
      expect(() => loadSiteFile(f, {})).toThrow(/s\.yaml:7: proxy: holds a user name or password: a site file never holds credentials/);
      try {
        loadSiteFile(f, {});
      } catch (e) {
        expect((e as Error).message).not.toContain('hunter2');
        expect((e as Error).message).not.toContain(USER);
      }
    }
    expect(() => loadSiteFile(site('proxy: env:HOME\n'), {})).toThrow(/proxy: env: must name a variable XJWATCH_PROXY or XJWATCH_PROXY_<NAME>/);
    expect(() => loadSiteFile(site('proxy: socks4://127.0.0.1:1080\n'), {})).toThrow(/SOCKS4 is not supported/);
    expect(() => loadSiteFile(site('proxy: https://127.0.0.1:1080\n'), {})).toThrow(/TLS to the proxy itself is not supported/);
  });

  it('an unset variable stops the site (never a quiet fall-back to direct); a bad XJWATCH_PROXY names the variable, not its value', () => {
    expect(() => loadSiteFile(site('proxy: env:XJWATCH_PROXY_CN\n'), { XJWATCH_PROXY: 'socks5://127.0.0.1:1080' })).toThrow(/s\.yaml:6: proxy: XJWATCH_PROXY_CN is not set .*the site is not fetched another way/);
    const bad = () => loadSiteFile(site(''), { XJWATCH_PROXY: `ftp://${USER}:${encodeURIComponent(PASS)}@x:1` });
    expect(bad).toThrow(/^XJWATCH_PROXY does not start with http:\/\/ or socks5:\/\//);
    // without a scheme the user name stands where a scheme would: it is not repeated
    const noScheme = () => loadSiteFile(site(''), { XJWATCH_PROXY: `${USER}:${encodeURIComponent(PASS)}@127.0.0.1:3128` });
    expect(noScheme).toThrow(/^XJWATCH_PROXY does not start with http:\/\/ or socks5:\/\//);
    expect(() => noScheme()).not.toThrow(new RegExp(USER));
    // a default port written out is a port
    expect(loadSiteFile(site(''), { XJWATCH_PROXY: 'http://127.0.0.1:80' }).proxy?.shown).toBe('http://127.0.0.1:80');
    expect(() => loadSiteFile(site(''), { XJWATCH_PROXY: `http://${USER}:${PASS}@x:1` })).toThrow(/^XJWATCH_PROXY is not a URL.*percent-encode/);
    expect(() => loadSiteFile(site(''), { XJWATCH_PROXY: 'socks5://127.0.0.1' })).toThrow(/names no port/);
    try {
      bad();
    } catch (e) {
      expect((e as Error).message).not.toContain(PASS);
    }
  });

  it('a proxy error is unreachable, never gone (a proxy that cannot resolve a name says nothing about the site)', () => {
    expect(classify({ errorKind: 'proxy', errorMessage: 'proxy socks5://127.0.0.1:1080 could not connect to www.site.test:80: host unreachable' }, { homeUrls: [] }, 'http://www.site.test/a.html')).toMatchObject({ kind: 'unreachable', reason: 'proxy' });
  });
});
