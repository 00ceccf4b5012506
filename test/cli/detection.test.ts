import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import type { Gone } from '../../src/demo/sites/site.js';
import { runCli, tempDir } from '../helpers/cli.js';

/**
 * Change and deletion detection through the real CLI: pages are deleted, soft-deleted,
 * redirected, edited and taken off their lists between runs of `xjwatch crawl`.
 */
let fx: RunningFixtures;
let file: string;
let dataDir: string;
const crawl = (...extra: string[]) => runCli(['crawl', file, '--json', '--data-dir', dataDir, ...extra]);
const county = () => fx.sites.county;
const at = (id: number) => `${county().base}/info/1103/${id}.htm`;
const kinds = (events: { kind: string; url: string }[]) => events.map((e) => `${e.kind} ${e.url.replace(/.*\//, '')}`).sort();

const deletions: [number, Gone, string][] = [
  [3101, '404', 'http_404'],
  [3102, '410', 'http_410'],
  [3103, 'soft-phrase', 'soft_404'],
  [3104, 'soft-plain', 'soft_404'],
  [3105, 'redirect-home', 'redirect_home'],
  [3106, 'meta-refresh', 'redirect_home'],
  [3107, 'js-redirect', 'redirect_home'],
];
const EDITED = 3108;
const EDITED_WITH_FILES = 3096; // its attachment holds terms its page does not
const TRIVIAL = 3109; // its view counter and rotating sidebar change on every visit anyway
const DELISTED = 3110;
const FLAKY = 3111; // answers 503 to every try of two runs

beforeAll(async () => {
  fx = await startFixtureSites();
  const dir = tempDir('xjwatch-detect-');
  file = join(dir, 'county.yaml');
  writeFileSync(file, siteFile('county', county()));
  dataDir = join(dir, 'data');
  const first = await crawl();
  expect(first.code).toBe(0);
});
afterAll(async () => fx?.close());

describe('deletions, edits and delistings between runs', () => {
  let second: Awaited<ReturnType<typeof crawl>>;
  let third: Awaited<ReturnType<typeof crawl>>;

  beforeAll(async () => {
    for (const [id, how] of deletions) county().delete(id, how);
    county().edit(EDITED, (p) => p.paragraphs.splice(1, 0, '经研究决定，在兰干村新建卫星工厂一座，吸纳富余劳动力就业。'));
    county().edit(EDITED_WITH_FILES, (p) => p.paragraphs.push('请各单位于本月底前报送工作总结。'));
    county().hide(DELISTED);
    county().fail(`/info/1103/${FLAKY}.htm`, ...Array.from({ length: 6 }, () => ({ status: 503 })));
    second = await crawl();
    third = await crawl();
  });

  it('the first failure of each deleted page is a suspected deletion with its reason; untouched pages stay silent', () => {
    expect(second.code).toBe(0);
    expect(kinds(second.json)).toEqual(
      [...deletions.map(([id]) => `suspected_deletion ${id}.htm`), `changed ${EDITED}.htm`, `changed ${EDITED_WITH_FILES}.htm`, `delisted ${DELISTED}.htm`, `unreachable ${FLAKY}.htm`].sort(),
    );
    expect(second.json.find((e) => e.url === at(FLAKY))).toMatchObject({ kind: 'unreachable', scope: 'page', reason: 'http_5xx' });
    for (const [id, , reason] of deletions) {
      const e = second.json.find((x) => x.url === at(id));
      expect(e).toMatchObject({ kind: 'suspected_deletion', reason, checks: 1, controls: { healthy: true } });
      expect(e.last_capture).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
    expect(second.json.find((e) => e.url === at(TRIVIAL))).toBeUndefined();
  });

  it('an edit is reported with the added text and the terms that appeared', () => {
    const e = second.json.find((x) => x.kind === 'changed' && x.url === at(EDITED))!;
    expect(e.added.join('')).toContain('新建卫星工厂一座');
    expect(e.terms_appeared).toEqual(expect.arrayContaining(['卫星工厂']));
    expect(e.previous_capture).not.toBe(e.capture);
    // an edit of the page leaves its attachments' terms where they were: none vanished
    const f = second.json.find((x) => x.kind === 'changed' && x.url === at(EDITED_WITH_FILES))!;
    expect(f.added.join('')).toContain('报送工作总结');
    expect(f.terms_vanished).toEqual([]);
    expect(f.terms.length).toBeGreaterThan(0);
  });

  it('the second failure alike confirms each deletion, once, with the reason; the 503 page is never called deleted', () => {
    expect(third.code).toBe(0);
    expect(third.json.find((e) => e.url === at(FLAKY))).toBeUndefined();
    expect(kinds(third.json)).toEqual(deletions.map(([id]) => `deleted ${id}.htm`).sort());
    for (const [id, , reason] of deletions) {
      expect(third.json.find((x) => x.url === at(id))).toMatchObject({ kind: 'deleted', reason, checks: 2, controls: { healthy: true } });
    }
  });

  it('a further run reports nothing new: each happening is reported once (and the 503 page is back)', async () => {
    const fourth = await crawl();
    expect(fourth.json.map((e) => [e.kind, e.url, e.was])).toEqual([['restored', at(FLAKY), 'unreachable']]);
    const fifth = await crawl();
    expect(fifth.json).toEqual([]);
  });

  it('a page that comes back is restored, saying whether its text is the same', async () => {
    county().restore(3101);
    const r = await crawl();
    expect(r.json.map((e) => [e.kind, e.url, e.was, e.same_text])).toEqual([['restored', at(3101), 'deleted', true]]);
  });

  it('xjwatch diff shows the edit word by word', async () => {
    const d = await runCli(['diff', at(EDITED), '--data-dir', dataDir]);
    expect(d.code).toBe(0);
    expect(d.stdout).toContain('{+经研究决定，在兰干村新建卫星工厂一座，吸纳富余劳动力就业。');
    const j = await runCli(['diff', at(EDITED), '--json', '--data-dir', dataDir]);
    expect(j.json[0]).toMatchObject({ changed: true, from: { capture: 1 }, to: { capture: 2 } });
    const bad = await runCli(['diff', at(EDITED), '--from', '9', '--data-dir', dataDir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--from: no capture "9"/);
  });

  it('history shows every check of a deleted page, with its verdict and the controls', async () => {
    const h = await runCli(['history', at(3102), '--json', '--data-dir', dataDir]);
    const checks = h.json.filter((x) => x.check);
    expect(checks.length).toBeGreaterThanOrEqual(2);
    expect(checks[0].check).toMatchObject({ outcome: 'gone', reason: 'http_410', controls: { healthy: true } });
    expect(checks[0].check.controls.fetches.home.fetch).toEqual(expect.any(Number));
    expect(checks[0].check.controls.fetches.not_found.answer).toMatch(/^HTTP 404/);
  });
});

describe('xjwatch check', () => {
  it('checks pages now: nothing to report for a live page, a deletion confirmed over two checks', async () => {
    const live = await runCli(['check', at(3120), '--data-dir', dataDir]);
    expect(live.code).toBe(0);
    expect(live.stderr).toContain(`${at(3120)}: `);
    county().delete(3119, '404');
    const one = await runCli(['check', at(3119), '--json', '--data-dir', dataDir]);
    expect(one.json.map((e) => e.kind)).toEqual(['suspected_deletion']);
    const two = await runCli(['check', at(3119), '--json', '--data-dir', dataDir]);
    expect(two.json).toMatchObject([{ kind: 'deleted', reason: 'http_404', checks: 2 }]);
  });

  it('a URL never captured gets its first capture', async () => {
    const p = fx.sites.prefecture.postings[0]!;
    const r = await runCli(['check', fx.sites.prefecture.postingUrl(p), '--json', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject([{ kind: 'new_posting', title: p.title }]);
  });
});

describe('conditional requests', () => {
  it('a server that answers 304 costs a check row, not a new capture or blob', async () => {
    const site = fx.sites.prefecture;
    site.conditional = true;
    try {
      const dir = tempDir('xjwatch-304-');
      const f = join(dir, 'prefecture.yaml');
      writeFileSync(f, siteFile('prefecture', site));
      const data = join(dir, 'data');
      const args = ['crawl', f, '--max-pages', '1', '--json', '--data-dir', data];
      expect((await runCli(args)).code).toBe(0);
      const before = site.log.length;
      const again = await runCli(args);
      expect(again.json).toEqual([]);
      expect(again.stderr).toMatch(/rechecked \d+ known posting\(s\)(?: and \d+ of their attachment\(s\))?: (\d+) unchanged/);
      const p = site.postings[0]!;
      expect(site.log.slice(before).filter((e) => e.path.endsWith(`_${p.id}.html`)).map((e) => e.headers['if-none-match'])).toEqual([expect.stringMatching(/^"/)]);
      const h = await runCli(['history', site.postingUrl(p), '--json', '--data-dir', data]);
      expect(h.json.map((x) => [x.type, x.status, x.check?.outcome ?? null])).toEqual([
        ['capture', 200, null],
        ['fetch', 304, 'unchanged'],
      ]);
    } finally {
      site.conditional = false;
    }
  });
});
