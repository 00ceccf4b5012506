import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCatalogue } from '../helpers/catalogue.js';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { attachmentBytes, type FixturePosting } from '../../src/demo/sites/site.js';
import { runCli, tempDir } from '../helpers/cli.js';

/**
 * Attachments of known postings are rechecked with them, through the real CLI: an edited
 * spreadsheet row is a change naming the row and its cells, and a file taken down is a deletion
 * of the file (the posting stays), confirmed as a page's is.
 */
let fx: RunningFixtures;
let dir: string;
let args: string[];
let sheetOf: FixturePosting;
let otherFileOf: FixturePosting;
const fileNo = (p: FixturePosting, kind: string) => p.attachments.findIndex((a) => a.kind === kind) + 1;
const fileUrl = (p: FixturePosting, n: number) => `${fx.sites.county.base}/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=${p.id}&wbfileid=${n}`;

beforeAll(async () => {
  fx = await startFixtureSites({ countyPostings: 40, hostile: false });
  const county = fx.sites.county;
  sheetOf = county.postings.find((p) => p.attachments.some((a) => a.kind === 'xls'))!;
  otherFileOf = county.postings.find((p) => p !== sheetOf && p.attachments.some((a) => a.kind !== 'xls'))!;
  dir = tempDir('xjwatch-attachment-recheck-');
  const f = join(dir, 'county.yaml');
  writeFileSync(f, siteFile('county', county));
  const settings = join(dir, 'settings.yaml');
  writeFileSync(settings, ['mail:', '  recipients:', '    - to: researcher@example.org', ''].join('\n'));
  args = ['crawl', f, '--json', '--data-dir', join(dir, 'data'), '--config', settings, '--mail-dir', join(dir, 'mail')];
  const first = await runCli(args);
  expect(first.code, first.stderr).toBe(0);
});
afterAll(async () => fx?.close());

describe('attachments rechecked with their postings', () => {
  it('an edited spreadsheet is one change of the file, naming the row and cell that changed and the row added', async () => {
    const n = fileNo(sheetOf, 'xls');
    // as a researcher tries it by hand: the imitation's own orders
    const order = async (cell: string, value: string) => {
      const r = await fetch(`${fx.sites.county.base}/__fixture/edit-cell?id=${sheetOf.id}&file=${n}&cell=${cell}&value=${encodeURIComponent(value)}`);
      expect(r.status, await r.clone().text()).toBe(200);
    };
    const notSheet = await fetch(`${fx.sites.county.base}/__fixture/edit-cell?id=${otherFileOf.id}&file=${fileNo(otherFileOf, otherFileOf.attachments.find((a) => a.kind !== 'xls')!.kind)}&cell=D3&value=9`);
    expect([notSheet.status, await notSheet.text()]).toEqual([400, expect.stringMatching(/not a spreadsheet$/)]);
    await order('D3', '9');
    for (const [cell, value] of [['A5', '4'], ['B5', '英吾斯坦乡'], ['C5', '喀拉苏村'], ['D5', '6'], ['E5', '卫星工厂']] as const) await order(cell, value);
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/rechecked \d+ known posting\(s\) and \d+ of their attachment\(s\)/);
    const changed = r.json.filter((e: { kind: string }) => e.kind === 'changed');
    expect(changed, r.stderr).toHaveLength(1);
    const e = changed[0];
    expect(e.url).toBe(fileUrl(sheetOf, n));
    expect(e.attachment).toEqual({ name: sheetOf.attachments[n - 1]!.name, posting: fx.sites.county.postingUrl(sheetOf), posting_title: sheetOf.title });
    expect(e.rows.changed).toEqual([{ range: 'roster!A3:E3', text: '2 | 塔什米里克乡 | 阿克喀什村 | 9 | 扶贫车间', cells: [{ cell: 'roster!D3', before: '8', after: '9' }] }]);
    expect(e.rows.added).toEqual([{ range: 'roster!A5:E5', text: '4 | 英吾斯坦乡 | 喀拉苏村 | 6 | 卫星工厂' }]);
    expect(e.rows.removed).toEqual([]);
    // its terms with their cells, as when it was first read
    expect(e.terms.find((t: { term: string }) => t.term === '卫星工厂').places).toEqual(expect.arrayContaining([expect.stringMatching(/roster!E5$/)]));
    // the mail says it row by row, naming the file and its posting
    const mails = await Promise.all(readdirSync(join(dir, 'mail')).filter((f) => f.endsWith('.eml')).map((f) => simpleParser(readFileSync(join(dir, 'mail', f)))));
    const mail = mails.find((m) => m.subject?.includes('attachment changed'));
    expect(mail, mails.map((m) => m.subject).join('\n')).toBeDefined();
    expect(mail!.text).toContain('Row:        changed roster!A3:E3: D3 8 → 9');
    expect(mail!.text).toContain('Row:        added roster!A5:E5: 4 | 英吾斯坦乡 | 喀拉苏村 | 6 | 卫星工厂');
    expect(mail!.text).toContain(`attached to the posting ${fx.sites.county.postingUrl(sheetOf)}`);
    expect(mail!.html).toContain('changed roster!A3:E3: D3 8 → 9');
  });

  it("the posting's bundle carries the file as first and as last captured, and its change row by row, and verifies", async () => {
    const out = join(dir, 'bundle');
    const p = await runCli(['prove', fx.sites.county.postingUrl(sheetOf), '--out', out, '--data-dir', join(dir, 'data')]);
    expect(p.code, p.stderr).toBe(0);
    const files = readdirSync(join(out, 'pages', '1', 'attachments'));
    const n = sheetOf.attachments.findIndex((a) => a.kind === 'xls') + 1;
    expect(files).toEqual(expect.arrayContaining([`${n}.xls`, `${n}.capture-1.xls`, `${n}.changes.txt`]));
    expect(readFileSync(join(out, 'pages', '1', 'attachments', `${n}.capture-1.xls`))).toEqual(attachmentBytes('xls'));
    const changes = readFileSync(join(out, 'pages', '1', 'attachments', `${n}.changes.txt`), 'utf8');
    expect(changes).toContain('changed roster!A3:E3: D3 8 → 9');
    expect(changes).toContain('added roster!A5:E5: 4 | 英吾斯坦乡 | 喀拉苏村 | 6 | 卫星工厂');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('changed roster!A3:E3: D3 8 → 9');
    const v = await runCli(['verify', out]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
  });

  it('an unchanged file is a check, not an event', async () => {
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.filter((e: { url: string }) => e.url.includes('download.jsp'))).toEqual([]);
  });

  it('a posting edited to link a new file: the file is fetched and read with the change, its terms placed, and checked from then on', async () => {
    const p = fx.sites.county.postings.find((x) => x !== sheetOf && x !== otherFileOf && !x.attachments.some((a) => a.kind === 'xls'))!;
    p.attachments.push({ name: '补充名单.xls', kind: 'xls' });
    p.paragraphs[0] = `${p.paragraphs[0]}（补充名单见附件）`;
    const n = p.attachments.length;
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(0);
    const e = r.json.find((x: { kind: string; url: string }) => x.kind === 'changed' && x.url === fx.sites.county.postingUrl(p));
    expect(e, r.stderr).toBeDefined();
    expect(e.attachments_added).toEqual([{ url: fileUrl(p, n), name: '补充名单.xls', capture: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }]);
    expect(e.terms.find((t: { term: string }) => t.term === '卫星工厂')).toMatchObject({ in: '补充名单.xls#roster!E2' });
    const again = await runCli(args);
    expect(again.json.filter((x: { url: string }) => x.url === fileUrl(p, n) || x.url === fx.sites.county.postingUrl(p))).toEqual([]);
    expect(fx.sites.county.log.filter((x) => x.path.includes('download.jsp') && x.path.includes(`owner=${p.id}&wbfileid=${n}`))).toHaveLength(2);
  });

  it('a file that could not be fetched at first is tried again with its posting, and once read is news of the posting', async () => {
    const county = fx.sites.county;
    const like = county.postings.find((x) => x.attachments.length === 0 && x.terms.length > 0)!;
    const id = Math.max(...county.postings.map((x) => x.id)) + 1;
    county.add({ ...like, id, date: county.postings[0]!.date, title: `${like.title}（附名单）`, paragraphs: [...like.paragraphs], attachments: [{ name: '迟到的名单.xls', kind: 'xls' }], views: 1 });
    const p = county.posting(id)!;
    const path = new URL(fileUrl(p, 1));
    // every try of the first crawl answers 503 (the site's retries included)
    county.faults.set(path.pathname + path.search, Array.from({ length: 3 }, () => ({ status: 503 })));
    const first = await runCli(args);
    expect(first.code, first.stderr).toBe(0);
    const posted = first.json.find((e: { kind: string; url: string }) => e.kind === 'new_posting' && e.url === county.postingUrl(p));
    expect(posted.attachments).toEqual([{ url: fileUrl(p, 1), name: '迟到的名单.xls', error: expect.stringMatching(/^http_5xx: HTTP 503/) }]);
    // the next pass tries it again (crawl checks everything; a watcher waits 1, 2, 4 … hours)
    const again = await runCli(args);
    expect(again.code, again.stderr).toBe(0);
    const e = again.json.find((x: { kind: string; url: string }) => x.kind === 'changed' && x.url === county.postingUrl(p));
    expect(e, again.stderr).toBeDefined();
    expect(e.attachments_added).toEqual([{ url: fileUrl(p, 1), name: '迟到的名单.xls', capture: expect.stringMatching(/^sha256:/) }]);
    expect([e.added, e.removed]).toEqual([[], []]);
    expect(e.terms.find((t: { term: string }) => t.term === '卫星工厂'), JSON.stringify(e.terms)).toMatchObject({ in: '迟到的名单.xls#roster!E2' });
    // from then on it is an attachment like the others: checked, and quiet while it stays as it is
    const third = await runCli(args);
    expect(third.json.filter((x: { url: string }) => x.url === county.postingUrl(p) || x.url === fileUrl(p, 1))).toEqual([]);
    expect(county.log.filter((x) => x.path === path.pathname + path.search).length).toBe(3 + 1 + 1);
  });

  it('a watcher’s due checks take a file when the revisit policy finds it due on its own record, not whenever its posting is', async () => {
    const data = join(dir, 'data');
    const file = fileUrl(sheetOf, fileNo(sheetOf, 'xls'));
    const posting = fx.sites.county.postingUrl(sheetOf);
    const settings = join(dir, 'due.yaml');
    writeFileSync(settings, ['revisit: { hitsHours: 1, pinnedHours: 1, youngHours: 1, suspectedMinutes: 1 }', ''].join('\n'));
    const lastLook = (url: string, hoursAgo: number) => {
      const db = openCatalogue(data, { readonly: false });
      db.prepare(`UPDATE pages SET last_checked_at = ? WHERE url = ?`).run(new Date(Date.now() - hoursAgo * 3_600_000).toISOString(), url);
      db.close();
    };
    const checkedIn = async () => {
      const r = await runCli([...args.slice(0, -4), '--config', settings, '--recheck', 'due']);
      expect(r.code, r.stderr).toBe(0);
      const db = openCatalogue(data);
      const urls = (db.prepare(`SELECT p.url FROM checks c JOIN pages p ON p.id = c.page_id WHERE c.run_id = (SELECT max(id) FROM runs)`).all() as { url: string }[]).map((x) => x.url);
      db.close();
      return urls;
    };
    lastLook(posting, 2);
    lastLook(file, 0.5);
    const first = await checkedIn();
    expect(first).toContain(posting);
    expect(first).not.toContain(file);
    lastLook(posting, 2);
    lastLook(file, 2);
    expect(await checkedIn()).toEqual(expect.arrayContaining([posting, file]));
  });

  it('a file taken down, or a web page served where it was, is the file deleted, confirmed over checks; its posting is not', async () => {
    const n = fileNo(sheetOf, 'xls');
    const m = fileNo(otherFileOf, otherFileOf.attachments.find((a) => a.kind !== 'xls')!.kind);
    fx.sites.county.filesGone.add(`${sheetOf.id}/${n}`);
    fx.sites.county.filesEdited.set(`${otherFileOf.id}/${m}`, Buffer.from('<html><head><title>提示</title></head><body>页面不存在</body></html>'));
    const seen: { kind: string; url: string; reason?: string; attachment?: { posting: string } }[] = [];
    for (let i = 0; i < 3 && seen.filter((e) => e.kind === 'deleted').length < 2; i++) {
      const r = await runCli(args);
      expect(r.code, r.stderr).toBe(0);
      seen.push(...r.json);
    }
    const about = (url: string) => seen.filter((e) => e.url === url).map((e) => [e.kind, e.reason]);
    expect(about(fileUrl(sheetOf, n))).toEqual([['suspected_deletion', 'http_404'], ['deleted', 'http_404']]);
    expect(about(fileUrl(otherFileOf, m))).toEqual([['suspected_deletion', 'soft_404'], ['deleted', 'soft_404']]);
    expect(seen.find((e) => e.kind === 'deleted')!.attachment!.posting).toMatch(/\/info\/1103\/\d+\.htm$/);
    expect(seen.filter((e) => !e.url.includes('download.jsp'))).toEqual([]);
  });
});
