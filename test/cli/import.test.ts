import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWatchList } from '../../src/config/watch-list.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { makePdf } from '../helpers/pdf.js';

const SEED = join(ROOT, 'test/fixtures/reports/003_72c36eafbc07f1b1.txt');
const TITLE = 'Adrian Zenz, Beyond the Camps (CECC hearing testimony, 17 October 2019)';

describe('xjwatch import of the seed report', () => {
  const dir = tempDir('xjwatch-import-');
  const data = join(dir, 'data');
  let entries: { url: string; site: string; footnotes: number[]; context: { footnote?: number; sentence?: string; note?: string }[]; archived: string[] }[];
  let summary: string;

  it('yields every government page the report cites, with its footnotes, and writes the list into the data directory', async () => {
    const r = await runCli(['import', SEED, '--name', 'zenz-2019', '--json', '--data-dir', data]);
    expect(r.code, r.stderr).toBe(0);
    entries = r.json;
    summary = r.stderr;
    expect(entries).toHaveLength(45);
    expect(new Set(entries.map((e) => new URL(e.url).host)).size).toBe(25);
    expect(entries.every((e) => /(^|\.)gov\.cn$/.test(new URL(e.url).hostname))).toBe(true);
    const list = loadWatchList(join(data, 'lists', 'zenz-2019.yaml'));
    expect(list.entries.map((e) => e.url)).toEqual(entries.map((e) => e.url));
    expect(list.source).toEqual({ file: '003_72c36eafbc07f1b1.txt', sha256: '79ddaa025e8f9790a594930fde9d93d4821da66e2d33178558ae654dc1aeb00a' });
  });

  // footnote → URL pairs read off the report by hand: split across lines, archive-wrapped, paired
  it.each([
    ['http://www.xjlpx.gov.cn/nzcms_nzweb/nzcms_up/attached/file/20190411/20190411130965606560.pdf', [19, 34], 'xjlpx'],
    ['http://www.kashi.gov.cn/Government/PublicInfoShow.aspx?ID=2851', [18], 'kashi'],
    ['http://kashi.gov.cn/Government/PublicInfoShow.aspx?ID=2963', [31, 33], 'kashi'],
    ['http://www.xjdrc.gov.cn/info/9923/23516.htm', [22], 'xjdrc'],
    ['http://www.gov.cn/xinwen/2018-01/24/content_5260106.htm', [79], 'www-gov-cn'],
    ['http://www.gov.cn/xinwen/2019-01/14/content_5357805.htm', [78], 'www-gov-cn'],
    ['http://www.xjakt.gov.cn/wcm.files/upload/GKfpb/201807/20180731115332752.xls', [43], 'xjakt'],
    ['https://www.xjht.gov.cn/article/show.php?itemid=264420', [64, 73], 'xjht'],
    ['http://www.xjzp.gov.cn/Files/2018/1223/%E5%96%80%E4%BB%80%E5%9C%B0%E5%8C%BA%E6%B3%BD%E6%99%AE%E5%8E%BF2018%E5%B9%B4%E2%80%942020%E5%B9%B4%E8%84%B1%E8%B4%AB%E6%94%BB%E5%9D%9A%E9%A1%B9%E7%9B%AE%E5%BA%93.xls', [74], 'xjzp'],
    ['http://www.xinjiang.gov.cn/2018/11/09/152523.html', [4], 'xinjiang'],
    ['https://www.xjawt.gov.cn/zwgk/zdxxqtzs/tpgjzxd/20190111/i133466.html', [12, 14], 'xjawt'],
    ['http://www.xjdrc.gov.cn/info/11855/22388.htm', [82], 'xjdrc'],
  ])('%s: footnotes %j, site %s', (url, footnotes, site) => {
    const e = entries.find((x) => x.url === url);
    expect(e, url).toBeDefined();
    expect(e!.footnotes).toEqual(footnotes);
    expect(e!.site).toBe(site);
    expect(e!.context.map((c) => c.footnote)).toEqual(footnotes);
  });

  it('keeps the archive links and the citing sentences', () => {
    const drc = entries.find((e) => e.url === 'http://www.xjdrc.gov.cn/info/9923/23516.htm')!;
    expect(drc.archived).toEqual(['https://web.archive.org/web/20190520143306/http://www.xjdrc.gov.cn/info/9923/23516.htm', 'http://archive.is/iykV0']);
    const ws = entries.find((e) => e.url === 'https://www.ws.gov.cn/xwdt/bddt/20190119/i293954.html')!;
    expect(ws.context[0]!.sentence).toBe('Set up by a company from Shenzhen through the mutual pairing assistance scheme, it can produce over a million items of clothing per year, which are exported to Europe.');
    expect(ws.archived).toEqual(['http://archive.is/heMys']);
  });

  it('says by host what it found and what it left out or could not resolve, from what it read', () => {
    expect(summary).toMatch(/003_72c36eafbc07f1b1\.txt \(text\): 84 footnote\(s\), 91 cited page\(s\), 6 archive link\(s\) with no page/);
    expect(summary).toMatch(/^ {2}www\.xjdrc\.gov\.cn → xjdrc: 6 page\(s\), footnotes 20, 22, 58, 71, 81, 82$/m);
    expect(summary).toMatch(/^ {2}kashi\.gov\.cn → kashi: 1 page\(s\), footnotes 31, 33$/m);
    expect(summary).toMatch(/left out: 46 page\(s\) on 36 host\(s\)/);
    expect(summary).toMatch(/^ {2}220\.171\.42\.19: 1 page\(s\), footnote 22$/m);
    expect(summary).toMatch(/^ {2}footnote 38: http:\/\/archive\.is\/1qf0a$/m);
  });

  it('--hosts keeps other hosts too; a second import under the name needs --force', async () => {
    const again = await runCli(['import', SEED, '--name', 'zenz-2019', '--data-dir', data]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/zenz-2019\.yaml: exists already .* --force replaces it/);
    const r = await runCli(['import', SEED, '--name', 'zenz-2019', '--force', '--hosts', '220.171.42.19,*.xjdaily.com.cn', '--json', '--data-dir', data]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.map((e) => e.url)).toEqual(expect.arrayContaining(['http://220.171.42.19/info/9923/23516.htm', 'http://www.xjdaily.com.cn/c/2018-11-28/2054842.shtml']));
    expect(r.json).toHaveLength(47);
  });

  it('crawlers/lists/zenz-2019.yaml is what import makes of the seed report', async () => {
    const out = join(dir, 'bundled.yaml');
    const r = await runCli(['import', SEED, '--name', 'zenz-2019', '--title', TITLE, '--out', out, '--data-dir', join(dir, 'empty')]);
    expect(r.code, r.stderr).toBe(0);
    const strip = (s: string) => s.replace(/^imported_at: .*$/m, '');
    expect(strip(readFileSync(join(ROOT, 'crawlers/lists/zenz-2019.yaml'), 'utf8'))).toBe(strip(readFileSync(out, 'utf8')));
  });
});

describe('xjwatch import of other inputs', () => {
  const dir = tempDir('xjwatch-import-other-');
  const data = join(dir, 'data');

  it('a PDF with a text layer: footnotes and a URL cut at a line end', async () => {
    const pdf = join(dir, 'report.pdf');
    writeFileSync(pdf, makePdf(['The notice names the camps.1 More follows.', '', '1 https://web.archive.org/web/20190520143306/http://www.xjdrc.gov.cn/info/9923/', '23516.htm or http://archive.is/iykV0']));
    const r = await runCli(['import', pdf, '--json', '--data-dir', data]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toEqual([
      {
        url: 'http://www.xjdrc.gov.cn/info/9923/23516.htm',
        site: 'xjdrc',
        footnotes: [1],
        context: [{ footnote: 1, sentence: 'The notice names the camps.', note: expect.stringContaining('23516.htm or http://archive.is/iykV0') }],
        archived: ['https://web.archive.org/web/20190520143306/http://www.xjdrc.gov.cn/info/9923/23516.htm', 'http://archive.is/iykV0'],
      },
    ]);
    expect(existsSync(join(data, 'lists', 'report.yaml'))).toBe(true);
  });

  it('an HTML page and a URL list', async () => {
    const html = join(dir, 'page.html');
    writeFileSync(html, '<!doctype html><html><body><p>See the notice.<sup>1</sup></p><ol><li><a href="http://www.kashi.gov.cn/Item/38964.aspx">通知</a> or <a href="http://archive.is/Z0Mgg">archived</a></li></ol></body></html>');
    const h = await runCli(['import', html, '--json', '--data-dir', data]);
    expect(h.code, h.stderr).toBe(0);
    expect(h.json.map((e) => [e.url, e.site, e.footnotes, e.archived])).toEqual([['http://www.kashi.gov.cn/Item/38964.aspx', 'kashi', [1], ['http://archive.is/Z0Mgg']]]);
    const urls = join(dir, 'urls.txt');
    writeFileSync(urls, '# pages we cite\nhttp://www.xjdrc.gov.cn/info/11460/22308.htm  # VTIC+\nhttps://www.ts.cn/xwzx/a.shtml\n');
    const u = await runCli(['import', urls, '--json', '--data-dir', data]);
    expect(u.code, u.stderr).toBe(0);
    expect(u.json.map((e) => [e.url, e.context])).toEqual([['http://www.xjdrc.gov.cn/info/11460/22308.htm', [{ note: 'VTIC+' }]]]);
    expect(u.stderr).toMatch(/left out: 1 page\(s\) on 1 host\(s\)[^\n]*\n {2}www\.ts\.cn: 1 page\(s\)/);
  });

  it.each([
    ['an empty file', 'empty.txt', Buffer.alloc(0), /empty\.txt: is empty/],
    ['binary junk', 'junk.bin', Buffer.concat([randomBytes(4096), Buffer.from([0, 0, 0])]), /junk\.bin: is binary data, not a text, HTML or PDF report/],
    ['a PDF without text', 'scan.pdf', makePdf([]), /scan\.pdf: is a PDF without a text layer \(a scan\?\)/],
    ['a PDF that is not one', 'broken.pdf', Buffer.from('%PDF-1.4\nthis is not a PDF at all\n'), /broken\.pdf: is a PDF that cannot be read/],
    ['a Word file', 'paper.docx', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('word/document.xml')]), /paper\.docx: is a DOCX file, which import does not read/],
    ['text without URLs', 'prose.txt', Buffer.from('A report that cites nothing at all.\n'), /prose\.txt: no URLs found in it \(read as text\)/],
    ['text citing no government page', 'media.txt', Buffer.from('1 http://xj.people.com.cn/n2/2016/0109/c188521-27501414.html\n'), /media\.txt: cites 1 page\(s\), none on a government host .* --hosts/],
  ])('%s: exit 2 with a message naming the file', async (_what, name, bytes, message) => {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    const r = await runCli(['import', file, '--data-dir', data]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain(file);
    expect(r.stdout).toBe('');
    expect(existsSync(join(data, 'lists', name.replace(/\..*$/, '.yaml')))).toBe(false);
  });

  it('refuses a missing file, a list named like a site, and a bad --hosts', async () => {
    const missing = await runCli(['import', join(dir, 'nope.txt'), '--data-dir', data]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.txt: cannot read it \(ENOENT\)/);
    const named = await runCli(['import', SEED, '--name', 'kashi', '--data-dir', data]);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/--name: "kashi" is the id of a site/);
    const hosts = await runCli(['import', SEED, '--hosts', 'http://www.ts.cn/', '--data-dir', data]);
    expect(hosts.code).toBe(2);
    expect(hosts.stderr).toMatch(/--hosts: "http:\/\/www\.ts\.cn\/" must be a host name/);
    mkdirSync(join(dir, 'a-folder'), { recursive: true });
    const folder = await runCli(['import', join(dir, 'a-folder'), '--data-dir', data]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/a-folder: is not a file/);
  });
});
