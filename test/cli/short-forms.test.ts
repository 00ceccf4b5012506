import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { postingText } from '../../src/demo/sites/site.js';
import { openCatalogue } from '../helpers/catalogue.js';
import { runCli, tempDir } from '../helpers/cli.js';

/**
 * Two-character terms such as 教培 are shorter than a trigram: a tracked one is searched through the
 * index of short forms (schema step 13), which must find exactly what a scan of every text finds —
 * texts stored before the form was tracked, the form inside a longer term (where the term counter
 * sees only the longer one), and texts stored after. In both storage modes.
 */
let fx: RunningFixtures;
let dataDir: string;
let siteYaml: string;
let narrowTerms: string;
const county = () => fx.sites.county;
const crawl = (...extra: string[]) => runCli(['crawl', siteYaml, '--json', '--data-dir', dataDir, ...extra]);
const search = (q: string) => runCli(['search', q, '--json', '--limit', '1000', '--data-dir', dataDir]);
const urls = (r: { json: { url: string }[] }) => r.json.map((x) => x.url).sort();

function indexed(): { forms: string[]; hits: number } {
  const db = openCatalogue(dataDir);
  try {
    const forms = (db.prepare(`SELECT form FROM short_forms ORDER BY form`).all() as { form: string }[]).map((r) => r.form);
    const hits = Number((db.prepare(`SELECT count(*) AS n FROM short_hits WHERE form = ?`).get('教培') as { n: number | string }).n);
    return { forms, hits };
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  fx = await startFixtureSites();
  const dir = tempDir('xjwatch-short-');
  siteYaml = join(dir, 'county.yaml');
  writeFileSync(siteYaml, siteFile('county', county()));
  narrowTerms = join(dir, 'terms.yaml');
  writeFileSync(narrowTerms, 'terms:\n  - term: 卫星工厂\n');
  dataDir = join(dir, 'data');
});
afterAll(async () => fx?.close());

describe('search for a tracked two-character term', () => {
  let scanned: string[];

  beforeAll(async () => {
    // a first run whose terms have no short form: 教培 is searched by a scan of every text
    expect((await crawl('--terms', narrowTerms)).code).toBe(0);
    const r = await search('教培');
    expect(r.code).toBe(0);
    scanned = urls(r);
  });

  it('finds by a scan, before any run tracks it, every posting that holds it, in a longer term too', () => {
    expect(indexed()).toEqual({ forms: [], hits: 0 });
    const holding = county().postings.filter((p) => postingText(p).includes('教培')).map((p) => county().postingUrl(p));
    expect(holding.length).toBeGreaterThan(1);
    for (const u of holding) expect(scanned).toContain(u);
    // the case the term hits would miss: 教培 only inside 教培中心, which the matcher counts as 教培中心
    expect(county().postings.some((p) => postingText(p).includes('教培中心') && postingText(p).split('教培').length === postingText(p).split('教培中心').length)).toBe(true);
  });

  it('a run that tracks it indexes the texts stored before, and search then reads the index and finds the same', async () => {
    expect((await crawl()).code).toBe(0); // the default terms list 教培, 维稳, 援疆 …
    const after = indexed();
    expect(after.forms).toEqual(expect.arrayContaining(['教培', '维稳', '援疆', '劳改', '实训']));
    expect(after.forms.every((f) => [...f].length < 3)).toBe(true);
    expect(after.hits).toBeGreaterThanOrEqual(scanned.length);
    expect(urls(await search('教培'))).toEqual(scanned);
    // and it is the index that answers: a text's entry taken out, its posting is not found
    const gone = scanned[0]!;
    const db = openCatalogue(dataDir, { readonly: false });
    const ids = (db.prepare(`SELECT h.capture_id AS id FROM short_hits h JOIN captures c ON c.id = h.capture_id JOIN pages p ON p.id = c.page_id WHERE h.form = '教培' AND p.url = ?`).all(gone) as { id: number }[]).map((r) => Number(r.id));
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) db.prepare(`DELETE FROM short_hits WHERE form = '教培' AND capture_id = ?`).run(id);
    try {
      expect(urls(await search('教培'))).toEqual(scanned.filter((u) => u !== gone));
    } finally {
      for (const id of ids) db.prepare(`INSERT INTO short_hits (form, capture_id) VALUES ('教培', ?)`).run(id);
      db.close();
    }
    expect(urls(await search('教培'))).toEqual(scanned);
  });

  it('texts stored after it is tracked are indexed as they are stored', async () => {
    const model = county().postings.find((p) => p.attachments.length === 0)!;
    const id = 9501;
    county().add({ ...model, id, title: '关于做好学员家属走访工作的通知', paragraphs: ['各乡镇要摸清县教培中心学员家庭情况。'], attachments: [], terms: ['教培中心'], views: 1 });
    expect((await crawl()).code).toBe(0);
    const found = await search('教培');
    expect(urls(found)).toEqual([...scanned, county().postingUrl(county().posting(id)!)].sort());
    expect(found.json.find((x: { url: string }) => x.url.endsWith(`/${id}.htm`)).snippet).toContain('教培中心');
    expect(indexed().hits).toBeGreaterThan(scanned.length);
  });

  it('a tracked form no text holds is no match, said as such', async () => {
    const r = await runCli(['search', '维稳', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/no captured text contains "维稳"/);
  });
});
