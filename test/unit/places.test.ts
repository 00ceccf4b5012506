import { describe, expect, it } from 'vitest';
import { columnName, placeAt, sheetRef, type Segment } from '../../src/extract/document-text/places.js';
import { mergeHits, TermMatcher } from '../../src/terms/matcher.js';
import { termWhere } from '../../src/terms/where.js';

const terms = [
  { term: '卫星工厂', variants: [], tags: [] },
  { term: '教转人员', variants: [], tags: [] },
];

describe('where in a document a hit is', () => {
  it('names a spreadsheet cell by its row segment and the tabs before it, with the row as context', () => {
    const text = '名单\n序号\t去向\t备注\n1\t卫星工厂\t教转人员';
    const segments: Segment[] = [
      { at: 0, place: '名单' },
      { at: 3, sheet: '名单', row: 1, col: 0 },
      { at: text.indexOf('1\t'), sheet: '名单', row: 214, col: 0 },
    ];
    expect(placeAt(text, segments, text.indexOf('卫星'))).toEqual({ place: '名单!B214', row: '1 | 卫星工厂 | 教转人员' });
    expect(placeAt(text, segments, text.indexOf('教转'))!.place).toBe('名单!C214');
    expect(placeAt(text, segments, 1)).toEqual({ place: '名单' });
    // a sheet whose used range starts at column C
    expect(placeAt('x\ty', [{ at: 0, sheet: 'Sheet 1', row: 3, col: 2 }], 2)!.place).toBe("'Sheet 1'!D3");
  });

  it('names columns and sheets as Excel does', () => {
    expect([0, 25, 26, 27, 51, 52, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
    expect(sheetRef('Sheet1')).toBe('Sheet1');
    expect(sheetRef('花名册')).toBe('花名册');
    expect(sheetRef("O'Neil list")).toBe("'O''Neil list'");
  });

  it('names pages, paragraphs and lines; nothing before the first segment', () => {
    const pages: Segment[] = [
      { at: 5, place: 'page=1' },
      { at: 20, place: 'page=2' },
    ];
    expect(placeAt('x'.repeat(30), pages, 4)).toBeUndefined();
    expect(placeAt('x'.repeat(30), pages, 5)!.place).toBe('page=1');
    expect(placeAt('x'.repeat(30), pages, 19)!.place).toBe('page=1');
    expect(placeAt('x'.repeat(30), pages, 29)!.place).toBe('page=2');
    expect(placeAt('a\nb\nc', [{ at: 0, line: 1 }], 4)!.place).toBe('line=3');
  });

  it('gives each hit its places in order (once each), the first one\'s row as the snippet, and names the file when merged', () => {
    const text = '名单\n1\t卫星工厂\n2\t卫星工厂\t教转人员\n3\t卫星工厂';
    const rows = [1, 2, 3].map((n) => ({ at: text.indexOf(`${n}\t`), sheet: '名单', row: n + 1, col: 0 }));
    const m = new TermMatcher(terms);
    const hits = m.matchText(text, 'attachment: 名单.xls', undefined, (o) => placeAt(text, rows, o));
    expect(hits.map((h) => [h.term, h.count, h.places, h.snippet])).toEqual([
      ['卫星工厂', 3, ['名单!B2', '名单!B3', '名单!B4'], '1 | 卫星工厂'],
      ['教转人员', 1, ['名单!C3'], '2 | 卫星工厂 | 教转人员'],
    ]);
    const page = m.matchText('本村卫星工厂');
    const merged = mergeHits([page, hits], terms);
    expect(merged[0]).toMatchObject({ term: '卫星工厂', count: 4, source: 'page, attachment: 名单.xls', places: ['名单.xls#名单!B2', '名单.xls#名单!B3', '名单.xls#名单!B4'] });
    expect(termWhere(merged[0]!, 3)).toBe('page, 名单.xls#名单!B2, 名单.xls#名单!B3 and 1 more');
    // without a way to place them (a page's text), hits carry no places
    expect(page[0]!.places).toBeUndefined();
  });
});
