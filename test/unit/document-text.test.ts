import { readFileSync } from 'node:fs';
import yazl from 'yazl';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// the reader runs in a child process, which needs the compiled file (the test command builds first)
import { DocumentTextExtractor } from '../../dist/src/extract/document-text/extractor.js';
import { documentKind } from '../../src/extract/document-text/kind.js';
import { placeAt } from '../../src/extract/document-text/places.js';
import { ROOT } from '../helpers/cli.js';

const file = (name: string) => readFileSync(join(ROOT, 'src/demo/sites/files', name));
const ex = new DocumentTextExtractor({ timeoutMs: 20_000 });
afterAll(() => ex.close());

describe('attachment text', () => {
  it('recognises files by their bytes, not their names', () => {
    expect(documentKind(file('attachment.pdf'), 'download.jsp', 'application/octet-stream')).toBe('pdf');
    expect(documentKind(file('attachment.xls'), '名单.xls')).toBe('xls');
    expect(documentKind(file('attachment.doc'), '', 'application/msword')).toBe('doc');
    expect(documentKind(Buffer.from('<html>'), 'x.pdf')).toBe('unknown');
  });

  it.each([
    ['attachment.pdf', 'x.pdf', ['职业技能教育培训中心', '教转人员', '卫星工厂']],
    ['attachment.xls', '名单.xls', ['卫星工厂', '教转人员', '扶贫车间']],
    ['attachment.doc', '申报表.doc', ['扶贫车间', '富余劳动力']],
  ])('reads the Chinese text of %s', async (f, name, terms) => {
    const r = await ex.extract(file(f), name);
    expect(r.problem).toBeUndefined();
    for (const t of terms) expect(r.text.replace(/\s/g, '')).toContain(t);
  });

  it.each([
    ['attachment.pdf', '卫星工厂', 'page=2'], // the notice's first page is blank
    ['attachment.xls', '卫星工厂', 'roster!E2'],
    ['attachment.xls', '统一输送', 'roster!F4'],
    ['attachment.doc', '富余劳动力', 'paragraph=3'],
    ['attachment.rtf', '教转人员', 'paragraph=3'],
    ['attachment.rtf', '托克扎克镇', 'paragraph=5'],
  ])('says where in %s the text of %s is', async (f, term, place) => {
    const r = await ex.extract(file(f), f);
    expect(placeAt(r.text, r.segments!, r.text.indexOf(term))?.place).toBe(place);
  });

  it('reads a scanned PDF page by OCR, heads its text as OCR and says so; a blank page is no scan', async () => {
    const r = await ex.extract(readFileSync(join(ROOT, 'src/demo/sites/files/attachment-scanned.pdf')), '扫描件.pdf');
    expect(r.notes).toEqual(['page 1 of the PDF is an image with no text layer (a scan): read by OCR (tesseract, Simplified Chinese and English)']);
    expect(r.text).toMatch(/^\[page 1: read by OCR from the page image\]\n/);
    for (const term of ['卫星工厂', '扶贫车间', '教转人员']) expect(placeAt(r.text, r.segments!, r.text.indexOf(term))?.place).toBe('page=1 (OCR)');
    // the text PDF's first page is blank (no text, no image): not flagged
    expect((await ex.extract(file('attachment.pdf'), 'a.pdf')).notes).toBeUndefined();
  });

  it('reads the documents inside a zip, each place prefixed with its member; refuses bombs and zips nested too deep', async () => {
    const inner = await zipOf([['通知.pdf', file('attachment.pdf')]]);
    const deeper = await zipOf([['再深.zip', await zipOf([['更深.zip', inner]])]]);
    const archive = await zipOf([
      ['名单/花名册.xls', file('attachment.xls')],
      ['申报表.doc', file('attachment.doc')],
      ['照片.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])],
      ['附件/内层.zip', inner],
      ['深.zip', deeper],
    ]);
    const r = await ex.extract(archive, '附件.zip');
    expect(r.problem).toBeUndefined();
    const at = (term: string) => placeAt(r.text, r.segments!, r.text.indexOf(term))?.place;
    expect(at('教转人员')).toBe('名单/花名册.xls:roster!F2');
    expect(at('富余劳动力')).toBe('申报表.doc:paragraph=3');
    expect(at('职业技能教育培训中心')).toBe('附件/内层.zip:通知.pdf:page=2');
    expect(r.notes).toEqual(['深.zip: 再深.zip is a zip inside a zip 2 deep: not opened']);
    const bomb = await zipOf([['统计.xls', Buffer.alloc(60 << 20)]]);
    expect((await ex.extract(bomb, '统计.zip')).problem).toMatch(/^could not read the zip file: the zip declares 62914560 bytes of content in \d+ \(\d+:1\): refused unread as a zip bomb$/);
    expect((await ex.extract(Buffer.from('Rar!\u001a\u0007\u0000 not read'), '名单.rar')).problem).toMatch(/^a RAR archive: xjwatch does not open RAR/);
    // a member named to climb out (yazl will not write one: the name is patched in, same length)
    const climbing = await zipOf([['aa/evil.xls', file('attachment.xls')], ['ok.doc', file('attachment.doc')]]);
    for (let i = climbing.indexOf('aa/evil.xls'); i !== -1; i = climbing.indexOf('aa/evil.xls', i + 1)) climbing.write('../evil.xls', i, 'latin1');
    const c = await ex.extract(climbing, 'c.zip');
    expect(c.notes).toEqual(['skipped "../evil.xls" in the zip: its path climbs out of the archive']);
    expect(c.text).toContain('扶贫车间');
    expect(c.text).not.toContain('卫星工厂');
  });

  it('reads the file at work when its run stops, and not those still waiting their turn', async () => {
    const stop = new AbortController();
    const reading = ex.extract(file('attachment.pdf'), 'a.pdf', '', { stop: stop.signal });
    const waiting = ex.extract(file('attachment.xls'), 'b.xls', '', { stop: stop.signal });
    const other = ex.extract(file('attachment.doc'), 'c.doc'); // another run's, not stopped
    await new Promise((r) => setImmediate(r)); // the first is at the reader now
    stop.abort();
    expect((await reading).text).toContain('卫星工厂');
    expect(await waiting).toEqual({ kind: 'xls', text: '', problem: 'the xls file was not read: the run stopped before its turn' });
    expect((await other).text.replace(/\s/g, '')).toContain('扶贫车间');
  });

  it('reads RTF as Word writes it in China (code page 936, GBK bytes, \\uN with fallbacks, tables) whatever its name', async () => {
    // as Word 2003 saves a Chinese notice: fonts of charset 134 (GBK), \\uc2 fallbacks of two bytes,
    // a table, a hyperlink's field instruction, document properties; and a font declared ANSI
    const rtf = Buffer.from(
      String.raw`{\rtf1\ansi\ansicpg936\deff0{\fonttbl{\f0\froman\fcharset0 Times New Roman;}{\f13\fnil\fcharset134 \'cb\'ce\'cc\'e5;}}` +
        String.raw`{\info{\title \'b9\'d8\'d3\'da}{\author admin}}{\*\generator Microsoft Word 11.0.0000;}` +
        String.raw`\pard\qc{\b\dbch\f13 \'b9\'d8\'d3\'da\'bd\'a8\'c9\'e8\'bd\'cc\'c5\'e0\'d6\'d0\'d0\'c4\'b5\'c4\'cd\'a8\'d6\'aa}\par` +
        String.raw`\pard{\dbch\f13\uc2\u21355\'ce\'c0\u26143\'d0\'c7\uc1 \'b9\'a4\'b3\'a7 2019}\par` +
        String.raw`\trowd\cellx3000\cellx6000\pard\intbl{\dbch\f13 \'d0\'d5\'c3\'fb}\cell{\dbch\f13 \'c8\'cb\'ca\'fd}\cell\row` +
        String.raw`\pard{\field{\*\fldinst HYPERLINK "http://x"}{\fldrslt link}}\par\pard\f0 \'b7\'f6\'c6\'b6\'b3\'b5\'bc\'e4\par}`,
      'latin1',
    );
    expect(documentKind(rtf, '通知.doc', 'application/msword')).toBe('rtf');
    const r = await ex.extract(rtf, '通知.doc');
    expect(r.problem).toBeUndefined();
    expect(r.text).toBe('关于建设教培中心的通知\n卫星工厂 2019\n姓名\t人数\nlink\n扶贫车间');
    expect(placeAt(r.text, r.segments!, r.text.indexOf('人数'))?.place).toBe('paragraph=3');
  });

  it('says an encrypted file is encrypted, and a damaged RTF is damaged', async () => {
    expect((await ex.extract(file('attachment-encrypted.pdf'), '招标文件.pdf')).problem).toBe('could not read the pdf file: it is encrypted (No password given)');
    const r = await ex.extract(Buffer.from('{\\rtf1 {\\u'), 'x.rtf');
    expect(r.problem).toMatch(/^could not read the rtf file: it is damaged or not a valid rtf file \(.+\)$/);
  });

  it('names an unreadable file instead of failing', async () => {
    const broken = Buffer.concat([Buffer.from('%PDF-1.6\n'), Buffer.alloc(2000, 0x41)]);
    const r = await ex.extract(broken, 'broken.pdf');
    expect(r.text).toBe('');
    expect(r.problem).toMatch(/could not read the pdf file/);
  });

  it('gives up on a file that takes too long, and reads the next one with a fresh reader', async () => {
    const slow = await ex.extract(file('attachment.pdf'), 'x.pdf', '', { timeoutMs: 1 });
    expect(slow.problem).toMatch(/gave up after/);
    const next = await ex.extract(file('attachment.xls'), 'x.xls');
    expect(next.problem).toBeUndefined();
    expect(next.text).toContain('卫星工厂');
  });

  it('costs only the file when the reader runs out of memory, and never this process', async () => {
    const small = new DocumentTextExtractor({ timeoutMs: 20_000, maxHeapMb: 4 });
    try {
      const xls = file('attachment.xls');
      const huge = await small.extract(Buffer.concat([xls, Buffer.alloc(64 << 20)]), 'big.xls');
      expect(huge.problem).toMatch(/could not read the xls file: the reader stopped \((SIGABRT|SIGTRAP|exit \d+); out of memory\?\)/);
      expect(process.memoryUsage().rss).toBeGreaterThan(0); // still here
    } finally {
      await small.close();
    }
    const next = await ex.extract(file('attachment.doc'), 'c.doc');
    expect(next.text.replace(/\s/g, '')).toContain('扶贫车间');
  });
});

function zipOf(members: [string, Buffer][]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, body] of members) z.addBuffer(body, name);
  z.end();
  const chunks: Buffer[] = [];
  return new Promise((ok, fail) => {
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => ok(Buffer.concat(chunks)));
    z.outputStream.on('error', fail);
  });
}
