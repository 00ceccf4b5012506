import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { postingText } from '../../src/demo/sites/site.js';
import { runCli, tempDir } from '../helpers/cli.js';

let fx: RunningFixtures;
let terms: string;
let dataDir: string;

beforeAll(async () => {
  fx = await startFixtureSites();
  const dir = tempDir('xjwatch-adhoc-');
  terms = join(dir, 't.txt');
  writeFileSync(terms, '# what the researcher tracks\n教培中心\n卫星工厂\n');
  dataDir = join(dir, 'data');
});
afterAll(async () => fx?.close());

describe('ad-hoc crawl of a bare list URL (the issue\'s "done when")', () => {
  it('prints one new_posting per posting that mentions a term, with decoded title, date and counts; then nothing', async () => {
    const county = fx.sites.county;
    const r = await runCli(['crawl', county.listUrl(), '--follow', '/info/', '--terms', terms, '--json', '--no-screenshots', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    const mentions = (text: string) => ['教培中心', '卫星工厂'].filter((t) => text.includes(t));
    const expected = county.postings.filter((p) => mentions(postingText(p)).length > 0);
    const got = r.json.filter((e) => !/\/99\d\d\.htm$/.test(e.url));
    expect(got.map((e) => e.url).sort()).toEqual(expected.map((p) => county.postingUrl(p)).sort());
    for (const p of expected) {
      const e = got.find((x) => x.url === county.postingUrl(p))!;
      expect(e).toMatchObject({ kind: 'new_posting', title: p.title, published: p.date });
      for (const t of e.terms) expect(t.count).toBe(postingText(p).split(t.term).length - 1);
    }
    // hostile pages that mention a tracked term are found too
    expect(r.json.map((e) => e.url)).toEqual(expect.arrayContaining([`${county.base}/info/1103/9990.htm`, `${county.base}/info/1103/9993.htm`]));

    const again = await runCli(['crawl', county.listUrl(), '--follow', '/info/', '--terms', terms, '--json', '--no-screenshots', '--data-dir', dataDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
  });

  it('search finds the posting and history lists its capture with its SHA-256', async () => {
    const s = await runCli(['search', '卫星工厂', '--data-dir', dataDir]);
    expect(s.code).toBe(0);
    const p = fx.sites.county.postings.find((x) => x.paragraphs.join('').includes('卫星工厂'))!;
    expect(s.stdout).toContain(fx.sites.county.postingUrl(p));
    const h = await runCli(['history', fx.sites.county.postingUrl(p), '--data-dir', dataDir]);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/capture #1 {2}200 {2}sha256:[0-9a-f]{64}/);
    expect(h.stdout).toContain(p.title);
  });

  it('the human output names title, date, terms and capture', async () => {
    const other = tempDir();
    const r = await runCli(['crawl', fx.sites.regional.listUrl(), '--max-pages', '1', '--no-screenshots', '--data-dir', other]);
    expect(r.code).toBe(0);
    const p = fx.sites.regional.postings.slice(0, 20).find((x) => x.terms.length > 0)!;
    expect(p).toBeDefined();
    expect(r.stdout).toContain(p.title);
    expect(r.stdout).toContain(p.date);
    expect(r.stdout).toContain(`【${p.terms[0]}】`);
    expect(r.stdout).toMatch(/capture sha256:[0-9a-f]{64}/);
    expect(r.stderr).toMatch(/crawled 1 site\(s\)/);
    expect(r.stderr).toContain(`kept in ${other}`);
  });
});
