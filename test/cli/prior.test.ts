import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCatalogue } from '../helpers/catalogue.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import { startLocalWayback, type LocalWayback } from '../fixtures/wayback.js';
import { runCli, tempDir } from '../helpers/cli.js';

/**
 * Prior captures (issue 14, item 5): a page a report cites that is already gone when xjwatch first
 * asks for it. With `prior: { wayback: true }` the archive's earliest good copy is kept as a
 * third-party capture, labelled as such in history and in a bundle that verify accepts; without
 * it, the archive hears nothing; an archive down or answering junk is a note, not a failed run.
 */
let fx: RunningFixtures;
let wb: LocalWayback;
let dir: string;
let cited: string;
let original: Buffer;
let originalType: string;
let title: string;
const on = () => {
  const f = join(dir, `on-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, 'prior: { wayback: true }\nrevisit: { pinnedHours: 0.0002, suspectedMinutes: 0.001 }\n');
  return f;
};
const site = () => {
  const file = join(dir, 'county.yaml');
  writeFileSync(file, `${siteFile('county', fx.sites.county)}pinned: [${cited}]\n`);
  return file;
};
const env = () => ({ XJWATCH_WAYBACK_URL: wb.url, XJWATCH_TSA_URLS: '' });
const archiveAsked = () => wb.requests.filter((r) => r.includes('/cdx/') || r.includes('/web/')).length;
const priorRows = (data: string) => {
  const db = openCatalogue(data);
  const rows = db.prepare(`SELECT pc.*, c.title, c.at FROM prior_captures pc JOIN captures c ON c.id = pc.capture_id`).all() as { archived_at: string; archive_url: string; digest: string; title: string; at: string }[];
  db.close();
  return rows;
};

beforeAll(async () => {
  fx = await startFixtureSites({ countyPostings: 8, hostile: false });
  fx.sites.county.liveCounters = false;
  wb = await startLocalWayback();
  dir = tempDir('xjwatch-prior-');
  const county = fx.sites.county;
  const p = county.postings.filter(mentionsTrackedTerm)[1]!;
  cited = county.postingUrl(p);
  title = p.title;
  // what the page said while it was up, as the archive kept it; then it is deleted before xjwatch ever asks
  const live = await fetch(cited);
  originalType = live.headers.get('content-type') ?? 'text/html';
  original = Buffer.from(await live.arrayBuffer());
  county.hide(p.id);
  county.delete(p.id, '404');
  wb.held.set(cited, [
    { timestamp: '20170101000000', statuscode: '302', digest: 'REDIRECTAAAA', location: 'http://example.invalid/' },
    { timestamp: '20170301000000', statuscode: '404', digest: 'NOTFOUNDBBBB', body: '<h1>404</h1>' },
    { timestamp: '20180505101010', statuscode: '200', digest: 'GOODCCCCCCCC', body: original, contentType: originalType },
    { timestamp: '20180606101010', statuscode: '200', digest: 'GOODCCCCCCCC', body: original, contentType: originalType },
    { timestamp: '20190101000000', statuscode: '200', digest: 'LATERDDDDDDD', body: '<html><head><title>后来的标题</title></head><body><h1>后来的标题</h1></body></html>' },
  ]);
});
afterAll(async () => {
  await fx?.close();
  await wb?.close();
});

describe('a pinned page already gone at its first fetch', () => {
  it('with the setting off: nothing is captured and no request reaches the archive', async () => {
    const data = join(dir, 'off');
    const before = wb.requests.length;
    const r = await runCli(['crawl', site(), '--recheck', 'none', '--data-dir', data], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(wb.requests.length).toBe(before);
    const h = await runCli(['history', cited, '--json', '--data-dir', data]);
    expect(h.json.filter((x) => x.type === 'capture')).toEqual([]);
  });

  it('with prior.wayback on: the earliest good archive copy is kept as a third-party capture, in history and in a bundle that verifies', async () => {
    const data = join(dir, 'on');
    const settings = on();
    const r = await runCli(['crawl', site(), '--recheck', 'none', '--data-dir', data, '--config', settings], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("kept the Internet Archive's capture of 2018-05-05T10:10:10Z");
    // no new_posting event: the page was not found live by xjwatch
    expect(r.stdout).not.toContain(cited);
    const rows = priorRows(data);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ archived_at: '2018-05-05T10:10:10Z', digest: 'GOODCCCCCCCC', archive_url: `${wb.url}/web/20180505101010id_/${cited}`, title });
    // the lookup and the copy went through the recording client
    expect(wb.requests.some((q) => q.startsWith('GET /cdx/search/cdx?') && q.includes('output=json'))).toBe(true);
    expect(wb.requests).toContain(`GET /web/20180505101010id_/${cited}`);

    const h = await runCli(['history', cited, '--json', '--data-dir', data]);
    const caps = h.json.filter((x) => x.type === 'capture');
    expect(caps).toHaveLength(1);
    expect(caps[0].thirdParty).toMatchObject({ archivedAt: '2018-05-05T10:10:10Z', digest: 'GOODCCCCCCCC' });
    expect(caps[0].ip).toBe('127.0.0.1');
    const human = await runCli(['history', cited, '--data-dir', data]);
    expect(human.stdout).toContain('THIRD-PARTY');
    expect(human.stdout).toMatch(/captured by the Internet Archive \(Wayback Machine\) on 2018-05-05T10:10:10Z, fetched by xjwatch on 20\d\d-/);

    const d = await runCli(['diff', cited, '--data-dir', data]);
    expect(d.stdout).toContain('THIRD-PARTY: captured by the Internet Archive (Wayback Machine) on 2018-05-05T10:10:10Z');

    // two due passes confirm the deletion with xjwatch's own checks and controls
    for (let i = 0; i < 2; i++) {
      await new Promise((res) => setTimeout(res, 1200));
      const c = await runCli(['crawl', site(), '--recheck', 'due', '--json', '--data-dir', data, '--config', settings], { env: env() });
      expect(c.code, c.stderr).toBe(0);
    }
    const out = join(dir, 'bundle');
    const p = await runCli(['prove', cited, '--out', out, '--json', '--data-dir', data, '--config', settings], { env: env() });
    expect(p.code, p.stderr).toBe(0);
    expect(p.json[0].pages[0].verdict).toBe('gone-hard');
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    expect(report).toContain('Third-party capture');
    expect(report).toMatch(/captured by the Internet Archive \(Wayback Machine\) on 2018-05-05T10:10:10Z, fetched by xjwatch on 20\d\d-/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.pages[0].captures[0].third_party).toMatchObject({ archived_at: '2018-05-05T10:10:10Z', digest: 'GOODCCCCCCCC' });
    // the archive exchanges are in the bundle's WARC; the capture's text is what the page said
    const warcUris = manifest.pages[0].records.map((x: { uri?: string; url?: string }) => x.uri ?? x.url ?? '');
    expect(JSON.stringify(warcUris)).toContain('/web/20180505101010id_/');
    expect(JSON.stringify(warcUris)).toContain('/cdx/search/cdx');
    expect(readFileSync(join(out, 'pages/1/captures/1.extracted.txt'), 'utf8')).toContain(title);
    expect(readFileSync(join(out, 'custody.jsonl'), 'utf8')).toContain('"tbl":"prior_captures"');
    const v = await runCli(['verify', out]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const vs = await runCli(['verify', '--data-dir', data]);
    expect(vs.code, vs.stdout + vs.stderr).toBe(0);
  });

  it('check --prior does the same for a URL named on the command, without the setting', async () => {
    const data = join(dir, 'check');
    const plain = await runCli(['check', cited, '--data-dir', data], { env: env() });
    expect(plain.code, plain.stderr).toBe(0);
    expect(priorRows(data)).toEqual([]);
    const r = await runCli(['check', cited, '--prior', '--data-dir', data], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("kept the Internet Archive's capture of 2018-05-05T10:10:10Z");
    expect(priorRows(data).map((x) => x.archived_at)).toEqual(['2018-05-05T10:10:10Z']);
  });

  it('an archive that is down, or answers junk, is a problem note and the run succeeds', async () => {
    for (const mode of ['down', 'junk'] as const) {
      wb.index = mode;
      const data = join(dir, `archive-${mode}`);
      const asked = archiveAsked();
      const r = await runCli(['crawl', site(), '--recheck', 'none', '--data-dir', data, '--config', on()], { env: env() });
      expect(r.code, r.stderr).toBe(0);
      expect(archiveAsked()).toBe(asked + 1);
      expect(r.stderr).toContain(mode === 'down' ? "prior capture: the Internet Archive's index answered HTTP 503" : "prior capture: the Internet Archive's index: the index answer is not JSON");
      expect(priorRows(data)).toEqual([]);
    }
    wb.index = 'ok';
  });
});
