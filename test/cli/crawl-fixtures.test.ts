import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE, HOSTILE_FILES } from '../../src/demo/sites/hostile.js';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import { startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';

let fx: RunningFixtures;
let files: Record<string, string>;
let dataDir: string;
let first: CliResult;

beforeAll(async () => {
  fx = await startFixtureSites();
  files = fx.writeSiteFiles(tempDir('xjwatch-sites-'));
  dataDir = tempDir();
  first = await runCli(['crawl', files.county!, files.prefecture!, files.regional!, files.aspnet!, '--json', '--data-dir', dataDir]);
});

afterAll(async () => {
  await fx?.close();
});

const events = () => first.json.filter((e) => e.kind === 'new_posting');

describe('crawl of every fixture family through the CLI', () => {
  it('exits 0 and prints only JSON events on stdout', () => {
    expect(first.code).toBe(0);
    expect(first.json.length).toBeGreaterThan(0);
    expect(first.json.length).toBe(first.stdout.trim().split('\n').length);
  });

  it.each(['county', 'prefecture', 'regional', 'aspnet'] as const)('%s: one new_posting per posting with tracked terms, decoded title and date', (name) => {
    const site = fx.sites[name];
    const expected = site.postings.filter(mentionsTrackedTerm);
    const got = events().filter((e) => e.site === name && !/\/(99\d\d)\.htm$/.test(e.url));
    expect(got.map((e) => e.url).sort()).toEqual(expected.map((p) => site.postingUrl(p)).sort());
    for (const p of expected) {
      const e = got.find((x) => x.url === site.postingUrl(p))!;
      expect(e.title).toBe(p.title);
      expect(e.published).toBe(p.date);
      expect(e.capture).toMatch(/^sha256:[0-9a-f]{64}$/);
      for (const term of p.terms) expect(e.terms.map((t: { term: string }) => t.term)).toContain(term);
      if (p.attachments.length) expect(e.terms.some((t: { source?: string }) => t.source?.includes(`attachment: ${p.attachments[0]!.name}`))).toBe(true);
      for (const t of e.terms) {
        expect(t.count).toBeGreaterThan(0);
        expect(t.snippet).toContain(t.term === '送工作到家门口' ? '家门口' : t.term);
      }
    }
  });

  it('says where in each attachment a term is: the sheet and cell (its row as context), the PDF page, the paragraph', async () => {
    const county = fx.sites.county;
    const where = (kind: string) => {
      const p = county.postings.find((x) => x.attachments.some((a) => a.kind === kind) && x.attachments.length === 1)!;
      return { p, name: p.attachments[0]!.name, e: events().find((x) => x.url === county.postingUrl(p))! };
    };
    const xls = where('xls');
    const sat = xls.e.terms.find((t: { term: string }) => t.term === '教转人员');
    expect(sat).toMatchObject({ in: `${xls.name}#roster!F2`, places: [`${xls.name}#roster!F2`], snippet: '1 | 托克扎克镇 | 兰干村 | 12 | 卫星工厂 | 教转人员' });
    const pdf = where('pdf');
    expect(pdf.e.terms.find((t: { term: string }) => t.term === '职业技能教育培训中心')).toMatchObject({ in: `${pdf.name}#page=2` });
    const doc = where('doc');
    expect(doc.e.terms.find((t: { term: string }) => t.term === '扶贫车间')?.places).toEqual([`${doc.name}#paragraph=1`, `${doc.name}#paragraph=2`]);
    // history names them under the attachment, search at the match
    const h = await runCli(['history', county.postingUrl(xls.p), '--json', '--data-dir', dataDir]);
    const att = h.json.find((r) => r.type === 'attachment');
    expect(att.terms.find((t: { term: string }) => t.term === '扶贫车间')).toMatchObject({ count: 1, places: ['roster!E3'] });
    const human = await runCli(['history', county.postingUrl(xls.p), '--data-dir', dataDir]);
    expect(human.stdout).toMatch(/教转人员 ×1 at roster!F2 +1 \| 托克扎克镇/);
    const s = await runCli(['search', '统一输送', '--json', '--data-dir', dataDir]);
    expect(s.json.find((r) => r.kind === 'attachment' && r.title === xls.name)?.place).toBe('roster!F4');
  });

  it('counts each term once per occurrence, a longer term never twice as a shorter one', () => {
    const p = fx.sites.county.postings.find((x) => x.terms.includes('职业技能教育培训中心'))!;
    expect(p).toBeDefined();
    const e = events().find((x) => x.url === fx.sites.county.postingUrl(p))!;
    const text = p.paragraphs.join('');
    const vtic = e.terms.find((t: { term: string }) => t.term === '职业技能教育培训中心');
    const inAttachments = p.attachments.filter((a) => a.kind === 'pdf').length;
    expect(vtic.count).toBe(text.split('职业技能教育培训中心').length - 1 + inAttachments);
    expect(e.terms.find((t: { term: string }) => t.term === '教培中心')).toBeUndefined();
  });

  it('keeps a posting\'s attachments: fetched with the posting as Referer, captured, named', () => {
    // (the hostile posting's attachments are their own test below)
    const withAtt = events().filter((e) => e.site === 'county' && e.attachments.length > 0 && !/\/(99\d\d)\.htm$/.test(e.url));
    expect(withAtt.length).toBeGreaterThan(0);
    for (const e of withAtt) {
      for (const a of e.attachments) {
        expect(a.error).toBeUndefined();
        expect(a.capture).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(a.name).toMatch(/\.(pdf|xls|doc)$/);
      }
    }
  });

  it('records the GB18030-only Uyghur text of the ASP.NET site without loss', async () => {
    const p = fx.sites.aspnet.postings[3]!;
    const r = await runCli(['search', 'قەشقەر', '--json', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.json.map((x) => x.url)).toContain(fx.sites.aspnet.postingUrl(p));
  });

  it('a second run over the unchanged sites prints nothing', async () => {
    const again = await runCli(['crawl', files.county!, files.prefecture!, files.regional!, files.aspnet!, '--json', '--data-dir', dataDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/0 new posting\(s\)/);
  });

  it('history lists a capture with the SHA-256 of the bytes the server sent', async () => {
    // the TRS site's pages have no view counter, so the bytes are the same on every request
    const p = fx.sites.prefecture.postings.find((x) => x.terms.length)!;
    const url = fx.sites.prefecture.postingUrl(p);
    const served = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(served.equals(Buffer.from(fx.sites.prefecture.postingHtml(p)))).toBe(true);
    const sha = createHash('sha256').update(served).digest('hex');
    const r = await runCli(['history', url, '--json', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    const captures = r.json.filter((x) => x.type === 'capture');
    expect(captures).toHaveLength(1);
    expect(captures[0]).toMatchObject({ status: 200, sha256: sha, ip: '127.0.0.1', title: p.title });
    expect(captures[0].warc.file).toMatch(/^warc\/\d{4}-\d{2}-\d{2}\/.+\.warc\.gz$/);
  });

  it('search finds postings by a term, also written in traditional characters', async () => {
    const r = await runCli(['search', '衛星工廠', '--json', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    const expected = Object.values(fx.sites).flatMap((s) => s.postings.filter((p) => p.paragraphs.join('').includes('卫星工厂')).map((p) => s.postingUrl(p)));
    expect(r.json.length).toBeGreaterThanOrEqual(Math.min(50, expected.length));
    for (const hit of r.json) expect(hit.snippet).toContain('卫星工厂');
  });
});

describe('hostile pages are recorded with what went wrong, and the run goes on', () => {
  const url = (id: number) => `${fx.sites.county.base}/info/1103/${id}.htm`;
  const event = (id: number) => events().find((e) => e.url === url(id));

  it('broken HTML is still read', () => {
    expect(event(HOSTILE.brokenHtml)).toMatchObject({ title: '关于卫星工厂用工情况的报告', published: '2019-02-14' });
    expect(event(HOSTILE.brokenHtml).terms.map((t: { term: string }) => t.term)).toContain('卫星工厂');
  });

  it('a page without a date is reported with published null, and the problem is named', () => {
    expect(event(HOSTILE.noDate)).toMatchObject({ title: '扶贫车间建设情况', published: null });
    expect(first.stderr).toContain(`no publication date found: ${url(HOSTILE.noDate)}`);
  });

  it('a wrongly declared charset is detected and the page decoded correctly', () => {
    expect(event(HOSTILE.wrongMetaCharset)).toMatchObject({ title: '教培中心工作简报', published: '2019-01-08' });
    expect(event(HOSTILE.wrongHeaderCharset)).toMatchObject({ title: '转移就业工作通报' });
    expect(first.stderr).toMatch(/meta declares utf-8, but the bytes are not UTF-8/);
  });

  it('a 20 MB page is cut at the size limit, kept and read as far as it came, and named as too large', async () => {
    expect(event(HOSTILE.huge)).toBeUndefined(); // it mentions no tracked term
    expect(first.stderr).toContain(`too large: the body was cut at 10 MiB; only that part is kept and read: ${url(HOSTILE.huge)}`);
    const r = await runCli(['history', url(HOSTILE.huge), '--json', '--data-dir', dataDir]);
    expect(r.json[0]).toMatchObject({ type: 'capture', status: 200, size: 10 * 1024 * 1024, title: '统计数据' });
  });

  it('an attachment that cannot be read is a finding: its posting\'s event, the run and history say why, and its bytes are kept', async () => {
    const e = event(HOSTILE.attachments);
    expect(e.attachments.map((a: { name: string }) => a.name)).toEqual(HOSTILE_FILES.map((f) => f.name));
    const why = Object.fromEntries(e.attachments.map((a: { name: string; error?: string }) => [a.name, a.error ?? null]));
    expect(why).toMatchObject({ '转移就业人员名单.xls': null, '扶贫车间申报表.doc': null, '关于转移就业的通知.pdf': null });
    expect(why['损坏的名单.xls']).toMatch(/^could not read the xls file: it is damaged or not a valid xls file \(.+\)$/);
    expect(why['花名册.xls']).toBe('could not read the file: named .xls, but its bytes are not an Excel file (it begins "PK\\u0001\\u0002 this is")');
    expect(why['统计表.xls']).toBe('served an HTML page where a file was linked (a dead or guarded download)');
    expect(why['截断的通知.pdf']).toMatch(/^could not read the pdf file: it is damaged or not a valid pdf file \(.+\)$/);
    expect(why['招标文件（加密）.pdf']).toBe('could not read the pdf file: it is encrypted (No password given)');
    expect(why['卫星工厂用工情况.rtf']).toBeNull();
    // the readable ones still give their terms and places, beside the unreadable ones; the scan is read by OCR, and says so
    expect(why['安置情况报告（扫描件）.pdf']).toBeNull();
    expect(e.terms.find((t: { term: string }) => t.term === '卫星工厂')?.places).toEqual(['转移就业人员名单.xls#roster!E2', '关于转移就业的通知.pdf#page=2', '安置情况报告（扫描件）.pdf#page=1 (OCR)', '卫星工厂用工情况.rtf#paragraph=1', '卫星工厂用工情况.rtf#paragraph=3', '卫星工厂用工情况.rtf#paragraph=4']);
    expect(e.terms.find((t: { term: string }) => t.term === '教转人员')?.places).toContain('卫星工厂用工情况.rtf#paragraph=3');
    expect(e.terms.find((t: { term: string }) => t.term === '扶贫车间')?.places).toContain('安置情况报告（扫描件）.pdf#page=1 (OCR)');
    expect(first.stderr).toContain('page 1 of the PDF is an image with no text layer (a scan): read by OCR (tesseract, Simplified Chinese and English)');
    for (const f of HOSTILE_FILES.filter((x) => x.why)) expect(first.stderr).toContain(`${why[f.name]}: ${fx.sites.county.base}/system/_content/download.jsp`);
    const h = await runCli(['history', url(HOSTILE.attachments), '--json', '--data-dir', dataDir]);
    const atts = h.json.filter((r) => r.type === 'attachment');
    expect(atts).toHaveLength(HOSTILE_FILES.length);
    for (const [i, f] of HOSTILE_FILES.entries()) {
      // every file kept as received, whatever reading it made of it
      expect(atts[i].sha256, f.name).toBe(createHash('sha256').update(f.body()).digest('hex'));
      if (f.why) expect(atts[i].problems, f.name).toEqual([why[f.name]]);
      else if (f.name.includes('扫描件')) expect(atts[i].problems[0]).toMatch(/no text layer \(a scan\): read by OCR/);
      else expect(atts[i].problems, f.name).toBeUndefined();
    }
  });

  it('a list that paginates into itself forever is stopped', () => {
    expect(first.stderr).toMatch(/pagination trap/);
    expect(fx.sites.county.hits.get('/xxgk/zcwj/list.htm')).toBeLessThanOrEqual(3 * 2);
  });
});
