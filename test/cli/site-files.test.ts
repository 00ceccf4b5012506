import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openCatalogue } from '../helpers/catalogue.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSiteFile, type Site } from '../../src/config/site-file.js';
import { DestoonSite } from '../../src/demo/sites/destoon.js';
import type { FamilySite } from '../../src/demo/sites/family.js';
import { JeecmsSite } from '../../src/demo/sites/jeecms.js';
import { ZcyProcurementSite } from '../../src/demo/sites/procurement-zcy.js';
import { fixtureListener } from '../../src/demo/sites/server.js';
import { VsbSite } from '../../src/demo/sites/vsb.js';
import { XjPlatformSite } from '../../src/demo/sites/xj-platform.js';
import { XjcmsSite } from '../../src/demo/sites/xjcms.js';
import { AnyPathSite } from '../fixtures/any-path-site.js';
import { startHttpProxy, type TestProxy } from '../fixtures/http-proxy.js';
import { ROOT, runCli, tempDir, type CliResult } from '../helpers/cli.js';

/**
 * Every shipped site file (crawlers/<id>.yaml), crawled UNCHANGED by the real CLI under its real
 * host names, offline: a test proxy (XJWATCH_PROXY) is the only way out and routes each host's
 * ports 80 and 443 to the imitation of its CMS family on 127.0.0.1 (TLS with a certificate for
 * the host's name, from a CA made here with openssl), refusing anything else. Per list: it yields
 * postings with titles, dates and text, its pagination is followed, and attachments are found
 * where the family has them. A site file whose family is unknown names no list; its pinned pages
 * are fetched from a stand-in that answers any path. The procurement platform's file (site code for
 * its JSON API) goes to the imitation of that API, in a crawl of its own with one page a list (its 16
 * lists at 3 s a request).
 *
 * What this does not check: that the list URLs exist on the live sites (most are guesses, marked
 * in each file), nor that the live layouts are the imitations'.
 */
type Family = 'platform' | 'vsb' | 'jeecms' | 'destoon' | 'xjcms';
const FAMILY_OF: Record<string, Family> = {
  xinjiang: 'platform',
  kashi: 'platform',
  xjdrc: 'vsb',
  xjyl: 'vsb',
  'xj-agri': 'jeecms',
  xjfp: 'jeecms',
  hts: 'destoon',
  xjht: 'destoon',
  akss: 'xjcms',
  xjawt: 'xjcms',
  ws: 'xjcms',
};
/** families for which no attachment shape is known, so none is imitated */
const NO_ATTACHMENTS = new Set<Family>(['xjcms']);
/** every list page of the imitations (5 postings, 2 a page): both the 下一页 link and a site file's pattern are followed */
const MAX_PAGES = 3;

const shipped = readdirSync(join(ROOT, 'crawlers'))
  .filter((f) => f.endsWith('.yaml') && f !== 'terms.yaml')
  .map((f) => loadSiteFile(join(ROOT, 'crawlers', f), false));
/** sites whose code reads a JSON API: only the procurement platform's, on the Zhengcaiyun imitation */
const coded = shipped.filter((s) => s.code);
const withLists = shipped.filter((s) => s.lists.length > 0 && !s.code);
const pinnedOnly = shipped.filter((s) => s.lists.length === 0);

let dir: string;
let proxy: TestProxy;
let crawl: CliResult;
let db: Database.Database;
let codedCrawl: CliResult;
let codedDb: Database.Database;
const families = { platform: new XjPlatformSite(), vsb: new VsbSite(), jeecms: new JeecmsSite(), destoon: new DestoonSite(), xjcms: new XjcmsSite() } satisfies Record<Family, FamilySite>;
const anyPath = new AnyPathSite();
const zcy = new ZcyProcurementSite();
const servers: (http.Server | https.Server)[] = [];
/** the names TLS clients asked for (SNI), per imitation */
const sni = new Set<string>();
let served = 0;

function hostsOf(s: Site): string[] {
  return [...new Set([s.home, ...s.lists.map((l) => l.url), ...s.pinned].map((u) => new URL(u).hostname.toLowerCase()))];
}

/** A CA and one leaf certificate for these names, made with openssl. */
function certificates(names: string[]): { ca: string; key: string; cert: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=xjwatch test CA');
  run('req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${names[0]}`);
  writeFileSync(join(dir, 'leaf.ext'), `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  run('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '2', '-extfile', 'leaf.ext');
  return { ca: join(dir, 'ca.pem'), key: readFileSync(join(dir, 'leaf.key'), 'utf8'), cert: readFileSync(join(dir, 'leaf.pem'), 'utf8') };
}

async function listen(server: http.Server | https.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  dir = tempDir('xjwatch-site-files-');
  const names = shipped.flatMap(hostsOf);
  const tls = certificates(names);
  const routes: Record<string, string> = {};
  for (const site of [...Object.values(families), anyPath, zcy]) {
    const count = (l: http.RequestListener): http.RequestListener => (req, res) => {
      served++;
      l(req, res);
    };
    const plain = await listen(http.createServer(count(fixtureListener(site))));
    const secure = https.createServer({ key: tls.key, cert: tls.cert }, count(fixtureListener(site)));
    secure.on('secureConnection', (s: TLSSocket) => sni.add(String((s as TLSSocket & { servername?: string }).servername)));
    const securePort = await listen(secure);
    site.base = `http://127.0.0.1:${plain}`;
    site.liveCounters = false;
    const mine = site === anyPath ? pinnedOnly : site === zcy ? coded : withLists.filter((s) => families[FAMILY_OF[s.id]!] === site);
    for (const s of mine) {
      if (site !== zcy) for (const l of s.lists) (site as FamilySite).addList(l.url);
      for (const h of hostsOf(s)) {
        routes[`${h}:80`] = `127.0.0.1:${plain}`;
        routes[`${h}:443`] = `127.0.0.1:${securePort}`;
      }
    }
  }
  proxy = await startHttpProxy({ routes, routesOnly: true });
  // xjwatch accepts any certificate today (http-client.ts: rejectUnauthorized false), so the CA
  // changes nothing now; it is given so that the check still holds if xjwatch starts verifying
  const env = { XJWATCH_PROXY: proxy.url(), NODE_EXTRA_CA_CERTS: tls.ca };
  const run = (ids: string[], maxPages: number, data: string) =>
    runCli(['crawl', ...ids, '--json', '--all-postings', '--max-pages', String(maxPages), '--no-screenshots', '--data-dir', data], { env, timeoutMs: 400_000 });
  [crawl, codedCrawl] = await Promise.all([
    run(shipped.filter((s) => !s.code).map((s) => s.id), MAX_PAGES, join(dir, 'data')),
    run(coded.map((s) => s.id), 1, join(dir, 'coded')),
  ]);
  db = openCatalogue(join(dir, 'data'));
  codedDb = openCatalogue(join(dir, 'coded'));
}, 420_000);

afterAll(async () => {
  db?.close();
  codedDb?.close();
  await proxy?.close();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve())))));
});

describe('the shipped site files', () => {
  it('each names lists of a family with an imitation, or is pinned-only (its family unknown)', () => {
    expect(shipped.length).toBeGreaterThanOrEqual(18);
    for (const s of withLists) expect(FAMILY_OF[s.id], `${s.id} has lists but no family imitation in this test`).toBeDefined();
    // and the other way: a file of a known family that lost its lists must not pass as pinned-only
    expect(withLists.map((s) => s.id).sort()).toEqual(Object.keys(FAMILY_OF).sort());
    expect(pinnedOnly.map((s) => s.id).sort()).toEqual(['alt', 'ps', 'shule', 'xjakt', 'xjbz', 'xjlpx', 'xjzp']);
    expect(coded.map((s) => [s.id, s.code])).toEqual([['ccgp-xinjiang', 'ccgp-xinjiang']]);
    for (const s of pinnedOnly) expect(s.pinned.length, s.id).toBeGreaterThan(0);
    for (const s of shipped) {
      expect(s.rate.perHost, s.id).toBe(1);
      expect(s.rate.delayMs, s.id).toBeGreaterThanOrEqual(3000);
    }
  });

  it('are crawled through the proxy only, every request reaching an imitation on 127.0.0.1', () => {
    expect(crawl.code, crawl.stderr).toBe(0);
    expect(codedCrawl.code, codedCrawl.stderr).toBe(0);
    const rows = [db, codedDb].flatMap((d) => d.prepare('SELECT url, status, ip, error_kind FROM fetches').all() as { url: string; status: number | null; ip: string | null; error_kind: string | null }[]);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.error_kind || r.status !== 200)).toEqual([]);
    // through a proxy the origin's address is not known to xjwatch, so none is claimed
    expect(rows.filter((r) => r.ip !== null)).toEqual([]);
    expect(served).toBe(rows.length);
    // every tunnel asked for a host:port the proxy routes to 127.0.0.1 (anything else was refused)
    expect([...proxy.counts.targets.keys()].filter((t) => !/^[^:]+:(80|443)$/.test(t) || !shipped.some((s) => hostsOf(s).includes(t.replace(/:\d+$/, ''))))).toEqual([]);
    const httpsHosts = new Set(rows.filter((r) => r.url.startsWith('https:')).map((r) => new URL(r.url).hostname));
    expect(httpsHosts.size).toBeGreaterThan(0);
    for (const h of httpsHosts) expect(sni, `TLS to ${h} named it`).toContain(h);
  });
});

describe.each(withLists.flatMap((s) => s.lists.map((l) => ({ site: s.id, list: l.url, family: FAMILY_OF[s.id]! }))))('$site: $list ($family)', ({ site, list, family }) => {
  const imitation = () => families[family] as FamilySite;
  const postings = () =>
    db
      .prepare(
        `SELECT p.url, c.title, c.published, c.text, l.page_url FROM listings l JOIN pages p ON p.id = l.page_id
         JOIN captures c ON c.id = p.last_capture_id WHERE l.list_url = ? AND p.site_id = ? ORDER BY p.url`,
      )
      .all(list, site) as { url: string; title: string | null; published: string | null; text: string | null; page_url: string }[];

  it(`yields postings over ${MAX_PAGES} list pages, each with its title, date and text`, () => {
    const got = postings();
    const expected = Math.min(imitation().perList, imitation().perPage * MAX_PAGES);
    expect(got).toHaveLength(expected);
    expect(new Set(got.map((p) => p.page_url)).size).toBe(Math.ceil(expected / imitation().perPage)); // pagination followed
    for (const row of got) {
      const p = imitation().postings.find((x) => imitation().postingUrl(x) === row.url);
      expect(p, `${row.url} is a posting of the imitation`).toBeDefined();
      expect(row.title).toBe(p!.title);
      expect(row.published).toBe(p!.date);
      expect(row.text).toContain(p!.paragraphs[0]!.slice(0, 20));
    }
    const events = crawl.json.filter((e) => e.kind === 'new_posting' && e.site === site && got.some((g) => g.url === e.url));
    expect(events).toHaveLength(expected);
  });

  it(NO_ATTACHMENTS.has(family) ? 'links no attachment (none is known for the family)' : 'finds the attachment of its first posting and reads its text', () => {
    const rows = db
      .prepare(
        `SELECT a.url, c.status, c.text FROM listings l JOIN pages p ON p.id = l.page_id JOIN attachment_links al ON al.posting_id = p.id
         JOIN pages a ON a.id = al.attachment_id JOIN captures c ON c.id = a.last_capture_id WHERE l.list_url = ? AND p.site_id = ?`,
      )
      .all(list, site) as { url: string; status: number; text: string | null }[];
    if (NO_ATTACHMENTS.has(family)) return void expect(rows).toEqual([]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe(200);
    expect(rows[0]!.text ?? '').toMatch(/扶贫车间|职业技能教育培训中心|卫星工厂/);
  });
});

describe.each(pinnedOnly.map((s) => ({ site: s.id, pinned: s.pinned })))('$site (pinned-only: family unknown)', ({ site, pinned }) => {
  it('fetches each pinned page through the proxy', () => {
    const got = db.prepare(`SELECT p.url, c.status FROM pages p JOIN captures c ON c.id = p.last_capture_id WHERE p.site_id = ?`).all(site) as { url: string; status: number }[];
    expect(got.map((g) => g.url).sort()).toEqual([...pinned].sort());
    expect(got.every((g) => g.status === 200)).toBe(true);
  });
});

describe('ccgp-xinjiang (site code for the Zhengcaiyun JSON API)', () => {
  const posted = () =>
    codedDb
      .prepare(
        `SELECT l.list_url, p.url, c.title, c.published, c.text FROM listings l JOIN pages p ON p.id = l.page_id
         JOIN captures c ON c.id = p.last_capture_id WHERE p.site_id = 'ccgp-xinjiang'`,
      )
      .all() as { list_url: string; url: string; title: string | null; published: string | null; text: string | null }[];

  it('asks the API for each of its lists; the two the imitation fills yield their notices with titles, dates and text', () => {
    const lists = coded[0]!.lists.map((l) => l.url);
    expect(zcy.listRequests).toHaveLength(lists.length); // one page each (--max-pages 1)
    const got = posted();
    const by = (category: string, district: string) => got.filter((g) => g.list_url.includes(`categoryCode=${category}&districtCode=${district}`));
    expect(by('ZcyAnnouncement3001', '653100')).toHaveLength(15); // the first page of 38
    expect(by('ZcyAnnouncement10016', '653200')).toHaveLength(6);
    expect(got).toHaveLength(21);
    for (const row of got) {
      expect(zcy.postings.map((p) => p.title), row.url).toContain(row.title);
      expect(row.published).toMatch(/^20\d\d-\d\d-\d\d$/);
      expect((row.text ?? '').length).toBeGreaterThan(40);
    }
  });
});
