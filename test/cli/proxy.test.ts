import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openCatalogue } from '../helpers/catalogue.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import type { FixtureSite } from '../../src/demo/sites/site.js';
import { startHttpProxy, type TestProxy } from '../fixtures/http-proxy.js';
import { startSocks5Proxy } from '../fixtures/socks5-proxy.js';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { checkStore } from '../helpers/store-check.js';

/**
 * Reaching the sites through a proxy (issue 14, item 3), through the real CLI: the imitation
 * regional site under a name that only the test proxies resolve (regional.xjwatch.test), so that a
 * fetch that went around the proxy could not have succeeded. Crawled through an HTTP CONNECT proxy
 * (XJWATCH_PROXY) and a SOCKS5 proxy with a login (a site file's proxy: env:XJWATCH_PROXY_CN), it is
 * recorded as when crawled directly, every request passes the proxy, and the login appears nowhere:
 * not on stdout or stderr, not in the WARC files, the catalogue or any other file of the data
 * directory. A refused login or a proxy that is down makes the site unreachable, never a page deleted.
 */
const USER = 'proxy-user-7f3a';
const PASS = 'pr0xy-p@ss:never/shown';
const NAME = 'regional.xjwatch.test';

let fx: RunningFixtures;
let site: FixtureSite;
let httpProxy: TestProxy;
let socksProxy: TestProxy;
let dir: string;
let direct: { events: Shape[]; fetches: FetchRow[] };

type Shape = [string, string, string, string];
interface FetchRow {
  url: string;
  status: number | null;
  purpose: string | null;
  body_sha256: string | null;
  ip: string | null;
  error_kind: string | null;
  error: string | null;
  wire_bytes: number | null;
}

const port = () => new URL(site.base).port;

/** The regional site's file under NAME; `extra` adds settings (proxy:, resolve:). */
function file(name: string, extra: string): string {
  const f = join(dir, `${name}.yaml`);
  const text = siteFile('regional', site).replaceAll(`127.0.0.1:${port()}`, `${NAME}:${port()}`).replace('retries: { count: 2, backoffMs: 50 }', 'retries: { count: 1, backoffMs: 20, breakAfter: 6 }');
  writeFileSync(f, text + extra);
  return f;
}

const shape = (events: { kind: string; url: string; title?: string; terms?: { term: string; count: number }[] }[]): Shape[] =>
  events.map((e) => [e.kind, e.url, e.title ?? '', (e.terms ?? []).map((t) => `${t.term}×${t.count}`).join(' ')] as Shape).sort((a, b) => a[1].localeCompare(b[1]));

function fetchRows(data: string): FetchRow[] {
  const db = openCatalogue(data);
  try {
    return db.prepare('SELECT url, status, purpose, body_sha256, ip, error_kind, error, wire_bytes FROM fetches ORDER BY url, id').all() as FetchRow[];
  } finally {
    db.close();
  }
}

function runSummary(data: string): { sites: { site: string; proxy?: string }[] } {
  const db = openCatalogue(data);
  try {
    return JSON.parse((db.prepare('SELECT summary FROM runs ORDER BY id DESC LIMIT 1').get() as { summary: string }).summary);
  } finally {
    db.close();
  }
}

/** Every file of the data directory as text (WARC files un-gzipped): where a secret must not be. */
function everything(data: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const raw = readFileSync(p);
        out.push((n.endsWith('.gz') ? gunzipSync(raw) : raw).toString('latin1'));
      }
    }
  };
  walk(data);
  return out.join('\n');
}

function expectNoSecret(texts: string[]): void {
  const secrets = [PASS, encodeURIComponent(PASS), USER, Buffer.from(`${USER}:${PASS}`).toString('base64'), 'wrong-pass'];
  for (const t of texts) for (const s of secrets) expect(t.includes(s), `a secret (${s.slice(0, 4)}…) was written`).toBe(false);
}

beforeAll(async () => {
  fx = await startFixtureSites();
  site = fx.sites.regional;
  site.liveCounters = false; // the same bytes every visit, so that two crawls can be compared
  const hosts = { [NAME]: '127.0.0.1' };
  [httpProxy, socksProxy] = await Promise.all([startHttpProxy({ hosts }), startSocks5Proxy({ hosts, user: USER, pass: PASS })]);
  dir = tempDir('xjwatch-proxy-cli-');
  // the baseline: the same site crawled directly, its name pinned by resolve:
  const data = join(dir, 'direct');
  const r = await runCli(['crawl', file('direct', `resolve: { "${NAME}": "127.0.0.1" }\n`), '--json', '--max-pages', '1', '--data-dir', data]);
  expect(r.code, r.stderr).toBe(0);
  direct = { events: shape(r.json), fetches: fetchRows(data) };
  expect(direct.events.length).toBeGreaterThan(0);
});
afterAll(async () => {
  await Promise.all([fx?.close(), httpProxy?.close(), socksProxy?.close()]);
});

const ways = [
  {
    name: 'an HTTP CONNECT proxy named by XJWATCH_PROXY',
    proxy: () => httpProxy,
    extra: () => '',
    env: () => ({ XJWATCH_PROXY: httpProxy.url() }),
  },
  {
    name: 'a SOCKS5 proxy with a login, named by the site file (proxy: env:XJWATCH_PROXY_CN), over XJWATCH_PROXY',
    proxy: () => socksProxy,
    extra: () => 'proxy: env:XJWATCH_PROXY_CN\n',
    // XJWATCH_PROXY points at the HTTP proxy: the site file's proxy: must win
    env: () => ({ XJWATCH_PROXY: httpProxy.url(), XJWATCH_PROXY_CN: socksProxy.url(USER, PASS) }),
  },
] as const;

describe.each(ways)('crawl through $name', (way) => {
  it('records everything as a direct crawl does, every request through the proxy, the proxy named and the login nowhere', async () => {
    const proxy = way.proxy();
    httpProxy.counts.reset();
    socksProxy.counts.reset();
    const before = site.log.length;
    const data = join(dir, `via-${proxy.url().slice(0, 5)}`);
    const r = await runCli(['crawl', file(`via-${proxy.port}`, way.extra()), '--json', '--max-pages', '1', '--data-dir', data], { env: way.env() });
    expect(r.code, r.stderr).toBe(0);
    expect(shape(r.json)).toEqual(direct.events);

    const rows = fetchRows(data);
    const strip = (f: FetchRow) => ({ url: f.url, status: f.status, purpose: f.purpose, body: f.body_sha256, error: f.error_kind });
    expect(rows.map(strip)).toEqual(direct.fetches.map(strip));
    expect(direct.fetches.every((f) => f.ip === '127.0.0.1')).toBe(true);
    // the origin's address is the proxy's business: unknown here, so not claimed
    expect(rows.every((f) => f.ip === null)).toBe(true);

    // every request the site answered came through the proxy (its name resolves nowhere else), one per fetch
    const served = site.log.slice(before);
    expect(served.length).toBe(rows.length);
    expect(served.every((e) => e.headers.host === `${NAME}:${port()}`)).toBe(true);
    expect(proxy.counts.tunnels).toBeGreaterThanOrEqual(1);
    expect(proxy.counts.tunnels).toBeLessThan(rows.length); // kept-alive tunnels carry many requests
    expect(proxy.counts.resolvedNames).toEqual(new Set([NAME]));
    // the answers' bytes all came back through it
    expect(proxy.counts.bytesDown).toBeGreaterThanOrEqual(0.9 * rows.reduce((n, f) => n + (f.wire_bytes ?? 0), 0));
    expect(proxy.counts.loginsRefused).toBe(0);
    const other = proxy === httpProxy ? socksProxy : httpProxy;
    expect(other.counts.connections).toBe(0);

    // the WARC records name the proxy instead of an IP; the run's summary names it too
    const warc = everything(join(data, 'warc'));
    expect(warc).not.toContain('WARC-IP-Address');
    expect(warc.split(`XJ-Via-Proxy: ${proxy.url()}\r\n`).length - 1).toBe(rows.length * 2); // request and response records
    expect(warc).toContain('XJ-Proxy-IP-Address: 127.0.0.1');
    expect(runSummary(data).sites[0]).toMatchObject({ site: 'regional', proxy: proxy.url() });
    expect((await checkStore(data)).problems).toEqual([]);

    expectNoSecret([r.stdout, r.stderr, everything(data)]);
  });
});

describe('when the proxy fails', () => {
  const failures = [
    {
      name: 'the proxy refuses the login',
      env: (good: boolean) => ({ XJWATCH_PROXY_CN: socksProxy.url(USER, good ? PASS : 'wrong-pass') }),
      says: () => `proxy ${socksProxy.url()} refused the user name and password from XJWATCH_PROXY_CN`,
    },
    {
      name: 'the proxy is down',
      env: (good: boolean) => ({ XJWATCH_PROXY_CN: good ? socksProxy.url(USER, PASS) : `socks5://127.0.0.1:${closedPort}` }),
      says: () => `proxy socks5://127.0.0.1:${closedPort} (XJWATCH_PROXY_CN) is not reachable`,
    },
  ];
  let closedPort = 0;
  beforeAll(async () => {
    const gone = await startSocks5Proxy();
    closedPort = gone.port;
    await gone.close();
  });

  it.each(failures)('$name: a proxy error naming the proxy, the site unreachable once, nothing deleted, restored when it works again', async (f) => {
    const data = join(dir, `fail-${f.name.length}`);
    const sfile = file(`fail-${f.name.length}`, 'proxy: env:XJWATCH_PROXY_CN\n');
    const crawl = (good: boolean): Promise<CliResult> => runCli(['crawl', sfile, '--json', '--max-pages', '1', '--data-dir', data], { env: f.env(good) });
    const base = await crawl(true);
    expect(base.code, base.stderr).toBe(0);
    expect(base.json.length).toBeGreaterThan(0);

    const bad = [await crawl(false), await crawl(false)];
    for (const r of bad) {
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('UNREACHABLE');
      expect(r.stderr).toContain(f.says());
      expect(r.stderr).toMatch(/failed proxy: /);
    }
    const during = bad.flatMap((r) => r.json);
    expect(during.filter((e) => e.kind === 'deleted' || e.kind === 'suspected_deletion')).toEqual([]);
    expect(during.filter((e) => e.scope === 'page')).toEqual([]);
    expect(during.map((e) => [e.kind, e.scope])).toEqual([['unreachable', 'site']]);
    const failed = fetchRows(data).filter((r) => r.error_kind === 'proxy');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((r) => r.error!.startsWith('proxy socks5://127.0.0.1:'))).toBe(true);

    const after = await crawl(true);
    expect(after.code, after.stderr).toBe(0);
    expect(after.json.map((e) => [e.kind, e.scope])).toEqual([['restored', 'site']]);
    expectNoSecret([...bad.flatMap((r) => [r.stdout, r.stderr]), after.stdout, after.stderr, everything(data)]);
  });

  it('a site file that names an unset variable is not crawled at all (never direct instead), exit 2 naming file and line', async () => {
    const before = site.log.length;
    const f = file('unset', 'proxy: env:XJWATCH_PROXY_NOWHERE\n');
    const r = await runCli(['crawl', f, '--json', '--data-dir', join(dir, 'unset')], { env: { XJWATCH_PROXY: httpProxy.url() } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unset\.yaml:\d+: proxy: XJWATCH_PROXY_NOWHERE is not set/);
    expect(site.log.length).toBe(before);
  });

  it('so is a URL or watch-list page on that site\'s host: never taken for no site and fetched another way', async () => {
    const before = site.log.length;
    const data = join(dir, 'unset-url');
    mkdirSync(join(data, 'sites'), { recursive: true });
    copyFileSync(file('unset-url', 'proxy: env:XJWATCH_PROXY_NOWHERE\n'), join(data, 'sites', 'unset-url.yaml'));
    const url = `http://${NAME}:${port()}${new URL(site.postingUrl(site.postings[0]!)).pathname}`;
    const r = await runCli(['crawl', url, '--json', '--data-dir', data], { env: { XJWATCH_PROXY: httpProxy.url() } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/unset-url\.yaml:\d+: proxy: XJWATCH_PROXY_NOWHERE is not set/);
    expect(site.log.length).toBe(before);
  });

  it('a site file with a login in it is refused, the login not repeated', async () => {
    const f = file('creds', `proxy: socks5://${USER}:${encodeURIComponent(PASS)}@127.0.0.1:1080\n`);
    const r = await runCli(['crawl', f, '--data-dir', join(dir, 'creds')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/creds\.yaml:\d+: proxy: holds a user name or password: a site file never holds credentials/);
    expectNoSecret([r.stdout, r.stderr]);
  });
});

describe('xjwatch doctor', () => {
  it('connects to each proxy in use and sends nothing through it; names an unset variable and a proxy that is down; warns where Chromium cannot log in; no secret printed', async () => {
    httpProxy.counts.reset();
    socksProxy.counts.reset();
    const data = join(dir, 'doctor');
    mkdirSync(join(data, 'sites'), { recursive: true });
    const put = (id: string, extra: string) => writeFileSync(join(data, 'sites', `${id}.yaml`), siteFile(id, site) + extra);
    put('cn', 'proxy: env:XJWATCH_PROXY_CN\n');
    put('lost', 'proxy: env:XJWATCH_PROXY_LOST\n');
    put('home', 'proxy: none\n');
    put('dead', 'proxy: http://127.0.0.1:9\n');
    const r = await runCli(['doctor', '--json', '--data-dir', data], { env: { XJWATCH_PROXY: httpProxy.url(), XJWATCH_PROXY_CN: socksProxy.url(USER, PASS) } });
    const proxies = r.json.filter((c) => c.check === 'proxy');
    const line = (re: RegExp) => proxies.find((c) => re.test(c.detail));
    expect(line(new RegExp(`^${httpProxy.url().replace(/[/.]/g, '\\$&')} \\(XJWATCH_PROXY\\): accepts connections`))).toMatchObject({ status: 'ok' });
    expect(line(new RegExp(`^${socksProxy.url().replace(/[/.]/g, '\\$&')} \\(XJWATCH_PROXY_CN; site cn\\): accepts connections.*with a login`))).toMatchObject({ status: 'ok' });
    expect(line(/Chromium cannot log in to a SOCKS5 proxy/)).toMatchObject({ status: 'warn' });
    expect(line(/lost\.yaml:\d+: proxy: XJWATCH_PROXY_LOST is not set/)).toMatchObject({ status: 'fail' });
    expect(line(/^http:\/\/127\.0\.0\.1:9 \(the site file; site dead\): is not reachable/)).toMatchObject({ status: 'fail' });
    expect(line(/1 site file\(s\) say proxy: none/)).toMatchObject({ status: 'ok' });
    expect(r.code).toBe(1);
    // a TCP connect and nothing more
    expect(httpProxy.counts.connections).toBe(1);
    expect(socksProxy.counts.connections).toBe(1);
    expect(httpProxy.counts.tunnels + httpProxy.counts.forwarded + socksProxy.counts.tunnels).toBe(0);
    expectNoSecret([r.stdout, r.stderr]);
  });
});
