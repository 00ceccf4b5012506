import { describe, expect, it } from 'vitest';
import { sheetChanges } from '../../src/detect/sheet-diff.js';
import { sheetRows, type Segment } from '../../src/extract/document-text/places.js';
import { sheetChangeLines } from '../../src/text/sheet-changes.js';

/** A workbook's text and segments as the reader makes them: one line per row, cells a tab apart. */
function workbook(sheets: Record<string, (string | number)[][]>) {
  const lines: string[] = [];
  const segments: Segment[] = [];
  let at = 0;
  for (const [name, rows] of Object.entries(sheets)) {
    segments.push({ at, place: name });
    lines.push(name);
    at += name.length + 1;
    rows.forEach((cells, r) => {
      const line = cells.join('\t');
      segments.push({ at, sheet: name, row: r + 1, col: 0 });
      lines.push(line);
      at += line.length + 1;
    });
  }
  const text = lines.join('\n');
  return sheetRows(text, segments);
}

const HEAD = ['序号', '乡镇', '村', '人数'];
const roster = (extra: (string | number)[][] = []) => [HEAD, [1, '托克扎克镇', '兰干村', 12], [2, '塔什米里克乡', '阿克喀什村', 8], [3, '萨依巴格乡', '英艾日克村', 15], ...extra];

describe('a spreadsheet’s changes by row and cell', () => {
  it('names the cell of an edited row, and its row with its cells', () => {
    const after = roster();
    after[2] = [2, '塔什米里克乡', '阿克喀什村', 9];
    const c = sheetChanges(workbook({ roster: roster() }), workbook({ roster: after }));
    expect(c.changed).toEqual([{ range: 'roster!A3:D3', text: '2 | 塔什米里克乡 | 阿克喀什村 | 9', cells: [{ cell: 'roster!D3', before: '8', after: '9' }] }]);
    expect([c.added, c.removed]).toEqual([[], []]);
    expect(sheetChangeLines(c)).toEqual(['changed roster!A3:D3: D3 8 → 9']);
  });

  it('a row inserted above others is one row added: the rows below it moved but did not change', () => {
    const after = roster();
    after.splice(2, 0, [9, '英吾斯坦乡', '喀拉苏村', 6]);
    const c = sheetChanges(workbook({ roster: roster() }), workbook({ roster: after }));
    expect(c.added).toEqual([{ range: 'roster!A3:D3', text: '9 | 英吾斯坦乡 | 喀拉苏村 | 6' }]);
    expect([c.changed, c.removed]).toEqual([[], []]);
  });

  it('rows removed, a sheet added, and a sheet gone are named by their sheet', () => {
    const c = sheetChanges(workbook({ roster: roster(), 旧表: [['a', 'b']] }), workbook({ roster: roster().slice(0, 2), "第二 批": [['x']] }));
    expect(c.removed.map((r) => r.range)).toEqual(['roster!A3:D3', 'roster!A4:D4', '旧表!A1:B1']);
    expect(c.added).toEqual([{ range: "'第二 批'!A1:A1", text: 'x' }]);
  });

  it('lists at most fifty of a kind and counts the rest', () => {
    const many = Array.from({ length: 120 }, (_, i) => [i, `村${i}`]);
    const c = sheetChanges(workbook({ s: [] }), workbook({ s: many }));
    expect(c.added).toHaveLength(50);
    expect(c.counts.added).toBe(120);
    expect(sheetChangeLines(c, 3).at(-1)).toBe('… 117 more row change(s)');
  });
});
