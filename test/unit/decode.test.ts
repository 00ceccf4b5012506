import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeBody, metaCharset } from '../../src/extract/decode.js';

const page = (meta: string, body = '关于卫星工厂的通知') => `<html><head>${meta}<title>t</title></head><body>${body}</body></html>`;

describe('decodeBody', () => {
  it('uses the Content-Type header first', () => {
    const d = decodeBody(iconv.encode(page(''), 'gbk'), 'text/html; charset=GBK');
    expect(d).toMatchObject({ charset: 'gb18030', source: 'header' });
    expect(d.text).toContain('卫星工厂');
  });

  it('reads GB2312 declared only in <meta http-equiv> (VSB sites) when the header has no charset', () => {
    const d = decodeBody(iconv.encode(page('<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />'), 'gbk'), 'text/html');
    expect(d).toMatchObject({ charset: 'gb18030', source: 'meta' });
    expect(d.text).toContain('卫星工厂');
  });

  it('decodes the GB family as GB18030, so four-byte characters (Uyghur script) survive', () => {
    const text = page('<meta charset="gbk">', '喀什市（قەشقەر شەھىرى）');
    const d = decodeBody(iconv.encode(text, 'gb18030'), undefined);
    expect(d.text).toContain('قەشقەر شەھىرى');
    expect(d.text).not.toContain('\uFFFD');
  });

  it('honours a UTF-8 byte-order mark', () => {
    const d = decodeBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(page(''))]), 'text/html');
    expect(d).toMatchObject({ charset: 'utf-8', source: 'bom' });
  });

  it('skips a <meta> that the bytes contradict (utf-8 declared, GBK written) and says so', () => {
    const d = decodeBody(iconv.encode(page('<meta charset="utf-8">'), 'gbk'), 'text/html');
    expect(d.text).toContain('卫星工厂');
    expect(d.charset).toBe('gb18030');
    expect(d.note).toMatch(/meta declares utf-8, but the bytes are not UTF-8/);
  });

  it('skips a server-default ISO-8859-1 header on a Chinese page and uses the <meta>', () => {
    const d = decodeBody(iconv.encode(page('<meta charset="gb2312">'), 'gbk'), 'text/html; charset=ISO-8859-1');
    expect(d).toMatchObject({ charset: 'gb18030', source: 'meta' });
    expect(d.note).toMatch(/header declares ISO-8859-1/);
  });

  it('prefers UTF-8 when a page declared GBK is in fact valid UTF-8', () => {
    const d = decodeBody(Buffer.from(page('<meta charset="gbk">')), 'text/html');
    expect(d.charset).toBe('utf-8');
    expect(d.text).toContain('卫星工厂');
  });

  it('overrules a Big5 header (and a utf-8 <meta>) on GBK bytes: implausible text, reported, the term found', () => {
    const text = '关于进一步做好县职业技能教育培训中心结业学员转移就业工作的通知。各乡镇要做好卫星工厂用工对接，统一输送，统一管理。';
    const d = decodeBody(iconv.encode(page('<meta charset="utf-8">', text), 'gbk'), 'text/html; charset=big5');
    expect(d.charset).toBe('gb18030');
    expect(d.text).toContain('职业技能教育培训中心');
    expect(d.note).toMatch(/header declares big5, but the text it gives is implausible .* where GB18030 reads the bytes as ordinary Chinese/);
    expect(d.note).toMatch(/meta declares utf-8, but the bytes are not UTF-8/);
  });

  it('keeps a real Big5 page as Big5', () => {
    const text = '喀什地區人民政府關於進一步做好職業技能教育培訓工作的通知，各鄉鎮人民政府，縣直各部門單位。';
    const d = decodeBody(iconv.encode(page('', text), 'big5'), 'text/html; charset=big5');
    expect(d).toMatchObject({ charset: 'big5', source: 'header' });
    expect(d.text).toContain('職業技能教育培訓');
    expect(d.note).toBeUndefined();
  });

  it('sniffs when nothing is declared', () => {
    expect(decodeBody(iconv.encode(page(''), 'gbk'), undefined)).toMatchObject({ charset: 'gb18030', source: 'sniff' });
    expect(decodeBody(Buffer.from(page('')), undefined)).toMatchObject({ charset: 'utf-8', source: 'sniff' });
  });

  it('reports a label that is no page encoding (even one iconv knows) and still decodes', () => {
    for (const label of ['x-klingon', 'base64', 'hex']) {
      const d = decodeBody(Buffer.from(page('')), `text/html; charset=${label}`);
      expect(d.text).toContain('卫星工厂');
      expect(d.note).toContain(`header declares "${label}", which is not a page encoding`);
    }
  });

  it('keeps a UTF-8 page UTF-8 despite a character cut in half or a stray byte', () => {
    const long = page('<meta charset="utf-8">', '关于卫星工厂的通知。'.repeat(20));
    const cut = Buffer.from(long).subarray(0, Buffer.byteLength(long) - 1);
    expect(decodeBody(Buffer.concat([cut]), 'text/html; charset=utf-8')).toMatchObject({ charset: 'utf-8', source: 'header' });
    const stray = Buffer.concat([Buffer.from(long), Buffer.from([0xff]), Buffer.from(long)]);
    expect(decodeBody(stray, 'text/html; charset=utf-8')).toMatchObject({ charset: 'utf-8', source: 'header' });
  });

  it('reads UTF-16 declared in <meta> as UTF-8, as browsers do', () => {
    expect(decodeBody(Buffer.from(page('<meta charset="utf-16">')), undefined)).toMatchObject({ charset: 'utf-8', source: 'meta' });
  });

  it('lets a byte-order mark outrank the header', () => {
    const d = decodeBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(page(''))]), 'text/html; charset=gbk');
    expect(d).toMatchObject({ charset: 'utf-8', source: 'bom' });
    expect(d.text.startsWith('<html>')).toBe(true);
  });

  it('lets the site file force an encoding', () => {
    expect(decodeBody(iconv.encode(page('<meta charset="utf-8">'), 'gbk'), 'text/html', 'gbk')).toMatchObject({ source: 'site', charset: 'gb18030' });
  });

  it('decodes broken bytes with replacement characters instead of failing', () => {
    const bytes = Buffer.concat([iconv.encode(page('<meta charset="gb2312">'), 'gbk'), Buffer.from([0xb9])]);
    const d = decodeBody(bytes, 'text/html');
    expect(d.text).toContain('卫星工厂');
  });
});

describe('metaCharset', () => {
  it('finds both forms of the declaration', () => {
    expect(metaCharset(Buffer.from('<meta charset="GB2312">'))).toBe('GB2312');
    expect(metaCharset(Buffer.from('<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=gbk">'))).toBe('gbk');
    expect(metaCharset(Buffer.from('<meta name="x" content="y">'))).toBeUndefined();
  });
});
