import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZcyProcurementSite } from '../../src/demo/sites/procurement-zcy.js';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import { startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { request } from '../../crawlers/ccgp-xinjiang.js';
import { ROOT, runCli, tempDir, type CliResult } from '../helpers/cli.js';

// The procurement platform's JSON API (crawlers/ccgp-xinjiang.ts) against its imitation, through
// the real CLI: a site file in a temporary folder names the bundled code with `code: ccgp-xinjiang`.
let fx: RunningFixtures;
let site: ZcyProcurementSite;
let file: string;
let dataDir: string;
let first: CliResult;
let second: CliResult;
const TENDERS = ['ZcyAnnouncement3001', '653100'] as const;
const INTENTS = ['ZcyAnnouncement10016', '653200'] as const;

beforeAll(async () => {
  fx = await startFixtureSites({ procurement: true, hostile: false });
  site = fx.sites.procurement!;
  file = fx.writeSiteFiles(tempDir('xjwatch-sites-')).procurement!;
  dataDir = tempDir();
  first = await runCli(['crawl', file, '--json', '--data-dir', dataDir]);
  second = await runCli(['crawl', file, '--json', '--data-dir', dataDir]);
});

afterAll(async () => {
  await fx?.close();
});

/** Every record of the data directory's WARC files: type, target, HTTP head and payload. */
function warcRecords(): { type: string; uri: string; head: string; payload: Buffer }[] {
  const out: { type: string; uri: string; head: string; payload: Buffer }[] = [];
  const root = join(dataDir, 'warc');
  for (const day of readdirSync(root)) {
    for (const name of readdirSync(join(root, day)).filter((n) => n.endsWith('.warc.gz'))) {
      const data = gunzipSync(readFileSync(join(root, day, name)));
      for (let pos = 0; pos < data.length; ) {
        const end = data.indexOf('\r\n\r\n', pos);
        const headers = data.subarray(pos, end).toString('utf8');
        const length = Number(/\r\nContent-Length: *(\d+)/i.exec(headers)![1]);
        const block = data.subarray(end + 4, end + 4 + length);
        pos = end + 4 + length + 4;
        const type = /\r\nWARC-Type: *(\S+)/i.exec(headers)![1]!;
        const uri = /\r\nWARC-Target-URI: *(\S+)/i.exec(headers)?.[1] ?? '';
        const split = block.indexOf('\r\n\r\n');
        out.push({ type, uri, head: split >= 0 ? block.subarray(0, split).toString('latin1') : '', payload: split >= 0 ? block.subarray(split + 4) : Buffer.alloc(0) });
      }
    }
  }
  return out;
}

describe('the procurement platform (JSON notice API) through the CLI', () => {
  it('reports each notice with tracked terms once, with its title, its date on Beijing time and its terms', () => {
    expect(first.code).toBe(0);
    const events = first.json.filter((e) => e.kind === 'new_posting');
    const expected = [...site.inList(...TENDERS), ...site.inList(...INTENTS)].filter(mentionsTrackedTerm);
    expect(expected.length).toBeGreaterThan(5);
    expect(events.map((e) => e.url).sort()).toEqual(expected.map((p) => site.postingUrl(p)).sort());
    for (const p of expected) {
      const e = events.find((x) => x.url === site.postingUrl(p))!;
      expect(e.site).toBe('procurement');
      expect(e.title).toBe(p.title);
      // published 00:30 Beijing time: the day before in UTC, so a date read on the wrong clock fails
      expect(new Date(site.notice(p).publishMs).toISOString().slice(0, 10)).not.toBe(p.date);
      expect(e.published).toBe(p.date);
      for (const term of p.terms) expect(e.terms.map((t: { term: string }) => t.term)).toContain(term);
    }
    expect(events.map((e) => e.url).some((u: string) => u.includes('/luban/detail?parentId=&articleId=') && u.includes('%2B%2F'))).toBe(true);
  });

  it('follows pageNo until the total, and no further', () => {
    const asked = (category: string, district: string) =>
      site.listRequests.filter((q) => q.categoryCode === category && (q.districtCode as string[])[0] === district).map((q) => q.pageNo);
    const pages = Math.ceil(site.inList(...TENDERS).length / 15);
    expect(pages).toBe(3);
    // two crawls, each the whole list
    expect(asked(...TENDERS)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(asked(...INTENTS)).toEqual([1, 1]);
    for (const q of site.listRequests) {
      expect(q.pageSize).toBe(15);
      expect(typeof q._t).toBe('number');
    }
  });

  it("keeps the WAF cookie: acw_tc is set at a crawl's start and sent back with the requests after it", () => {
    // at most the requests in flight as each crawl starts (its list walk and its rechecks) go without
    expect(site.cookiesSet.length).toBeGreaterThanOrEqual(2);
    expect(site.cookiesSet.length).toBeLessThanOrEqual(4);
    const withCookie = site.log.filter((l) => /\bacw_tc=/.test(String(l.headers.cookie ?? '')));
    expect(withCookie.length).toBe(site.log.length - site.cookiesSet.length);
    expect(withCookie.length).toBeGreaterThan(80);
  });

  it('records the POST with its body and the JSON answers in the WARC, digests right', () => {
    const files = readdirSync(join(dataDir, 'warc')).flatMap((d) => readdirSync(join(dataDir, 'warc', d)).filter((n) => n.endsWith('.warc.gz')).map((n) => join(dataDir, 'warc', d, n)));
    expect(files.length).toBe(2);
    for (const f of files) {
      // an independent reader: every record's block and payload digest right (exit 0)
      const out = execFileSync('python3', [join(ROOT, 'test/helpers/warc_read.py'), f], { encoding: 'utf8' });
      expect(out.split('\n').filter(Boolean).every((l) => JSON.parse(l).problems.length === 0)).toBe(true);
    }
    const records = warcRecords();
    const posts = records.filter((r) => r.type === 'request' && r.head.startsWith('POST /portal/category HTTP/1.1'));
    expect(posts.length).toBe(8);
    const sent = posts.map((r) => JSON.parse(r.payload.toString('utf8')));
    // what the WARC says was sent is what the server received
    expect(sent).toEqual(site.listRequests);
    expect(Object.keys(sent[0])).toEqual(['pageNo', 'pageSize', 'categoryCode', 'districtCode', '_t']);
    for (const r of posts) {
      expect(r.head).toMatch(/\r\nContent-Type: application\/json/i);
      expect(r.head).toContain(`\r\nContent-Length: ${r.payload.length}`);
    }
    const lists = records.filter((r) => r.type === 'response' && r.uri.endsWith('/portal/category'));
    expect(lists.length).toBe(8);
    expect(JSON.parse(lists[0]!.payload.toString('utf8')).result.data.total).toBeGreaterThan(0);
    const p = site.inList(...TENDERS)[0]!;
    const detail = records.find((r) => r.type === 'response' && r.uri === `${site.base}/portal/detail?articleId=${encodeURIComponent(site.notice(p).articleId)}`)!;
    expect(JSON.parse(detail.payload.toString('utf8')).result.data.title).toBe(p.title);
  });

  it('finds nothing new the second time, and every notice unchanged', () => {
    expect(second.code).toBe(0);
    expect(second.json).toEqual([]);
    expect(second.stderr).toMatch(/0 new posting\(s\)/);
    expect(second.stderr).toMatch(/44 unchanged, 0 changed only trivially, 0 changed, 0 gone/);
  });

  it('reads a WAF page instead of the JSON as a failed list, never as an emptied one', async () => {
    site.fail('/portal/category', { status: 200, body: '<html><head><title>访问验证</title></head><body><script>var arg1="x";</script></body></html>' });
    const r = await runCli(['crawl', file, '--json', '--data-dir', dataDir]);
    expect(r.stderr).toMatch(/not JSON/);
    expect(r.json.filter((e) => ['delisted', 'site_broken', 'changed'].includes(e.kind))).toEqual([]);
  });

  it('takes the API failing ("系统繁忙", HTTP 200) for no answer: never a deletion, never a change', async () => {
    const p = site.inList(...TENDERS).filter(mentionsTrackedTerm)[2]!;
    const url = site.postingUrl(p);
    const detail = new URL(request(url, new Date())!.url);
    const at = detail.pathname + detail.search;
    site.fail(at, ...Array.from({ length: 8 }, () => ({ status: 200, body: JSON.stringify({ success: false, result: null, error: '系统繁忙' }) })));
    const r = await runCli(['crawl', file, '--json', '--data-dir', dataDir]);
    site.faults.delete(at);
    expect(r.stderr).toContain('系统繁忙');
    expect(r.json.filter((e) => e.url === url).map((e) => [e.kind, e.reason])).toEqual([['unreachable', 'not_fetched']]);
    // answering again: back to as before, nothing suspected or changed on the way
    const again = await runCli(['crawl', file, '--json', '--data-dir', dataDir]);
    expect(again.json.filter((e) => ['suspected_deletion', 'deleted', 'changed'].includes(e.kind))).toEqual([]);
  });

  it('takes the API\'s "not there" (JSON error, HTTP 200) for a suspected deletion, never a change', async () => {
    const p = site.inList(...TENDERS).filter(mentionsTrackedTerm)[1]!;
    const url = site.postingUrl(p);
    site.delete(p.id);
    const third = await runCli(['crawl', file, '--json', '--data-dir', dataDir]);
    expect(third.code).toBe(0);
    expect(third.json.map((e) => [e.kind, e.url])).toEqual([['suspected_deletion', url]]);
    expect(third.json[0].reason).toBe('soft_404');
    expect(third.json[0].detail).toContain("the site's API answers that the item is not there (文章不存在)");
    const fourth = await runCli(['crawl', file, '--json', '--data-dir', dataDir]);
    expect(fourth.json.map((e) => [e.kind, e.url])).toEqual([['deleted', url]]);
    site.restore(p.id);
  });

  it('does not capture a listed notice whose detail says "not there"; it is new once it is there', async () => {
    const p = { ...site.inList(...INTENTS).find(mentionsTrackedTerm)!, id: 6100, title: '和田地区新增采购意向公开' };
    site.add(p);
    site.registerNotice(p, ...INTENTS);
    site.detailMissing.add(p.id);
    const r = await runCli(['crawl', file, '--json', '--data-dir', dataDir]);
    expect(r.json.filter((e) => e.kind === 'new_posting')).toEqual([]);
    expect(r.stderr).toContain("the site's API answers that it is not there: 文章不存在");
    site.detailMissing.delete(p.id);
    const again = await runCli(['crawl', file, '--json', '--data-dir', dataDir]);
    expect(again.json.filter((e) => e.kind === 'new_posting').map((e) => e.url)).toEqual([site.postingUrl(p)]);
  });

  it('refuses a site file naming site code that does not exist, naming the file, line and field', async () => {
    const bad = join(tempDir('xjwatch-sites-'), 'bad.yaml');
    writeFileSync(bad, readFileSync(file, 'utf8').replace('code: ccgp-xinjiang', 'code: no-such-site'));
    const r = await runCli(['crawl', bad, '--data-dir', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:\d+: code: no site code crawlers\/no-such-site\.ts is built/);
  });

  it('refuses site code with fetch: browser (a rendered page would stand in for the API answer)', async () => {
    const bad = join(tempDir('xjwatch-sites-'), 'browser.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(bad, /^fetch: .*$/m.test(text) ? text.replace(/^fetch: .*$/m, 'fetch: browser') : `${text}\nfetch: browser\n`);
    const r = await runCli(['crawl', bad, '--data-dir', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/browser\.yaml:\d+: fetch: cannot be browser for a site with code:/);
  });
});
