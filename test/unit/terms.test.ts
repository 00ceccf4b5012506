import { describe, expect, it } from 'vitest';
import { mergeHits, TermMatcher } from '../../src/terms/matcher.js';
import { normalizeText } from '../../src/terms/normalize.js';
import { snippetAround } from '../../src/terms/snippet.js';
import type { Term } from '../../src/terms/types.js';

const t = (term: string, variants: string[] = []): Term => ({ term, variants, tags: [] });

describe('normalizeText', () => {
  it('folds Kangxi radicals (PDF text layers) with NFKC', () => {
    expect(normalizeText('教培中\u2F3C')).toBe('教培中心');
  });
  it('maps CJK supplement radicals that NFKC leaves alone', () => {
    expect(normalizeText('\u2EC4\u2ECB\u2EF0')).toBe('西车龙');
    expect(normalizeText('转移内地就业⻔路')).toBe('转移内地就业门路');
  });
  it('turns traditional into simplified characters', () => {
    expect(normalizeText('衛星工廠與職業技能教育培訓中心')).toBe('卫星工厂与职业技能教育培训中心');
  });
  it('turns full-width letters and digits into half-width', () => {
    expect(normalizeText('ＡＢＣ１２３')).toBe('ABC123');
  });
  it('removes white space inside CJK runs, also line breaks from PDF wrapping, but keeps it between words of other scripts', () => {
    expect(normalizeText('卫 星\u3000工\n厂 in Kashgar  city')).toBe('卫星工厂 in Kashgar city');
  });
  it('drops zero-width characters that would split a term', () => {
    expect(normalizeText('扶贫\u200B车间')).toBe('扶贫车间');
  });
});

describe('TermMatcher', () => {
  const terms = [t('职业技能教育培训中心', ['职业技能教培中心']), t('教培中心', ['教育培训中心']), t('卫星工厂'), t('维稳')];
  const m = new TermMatcher(terms);

  it('counts every occurrence of a term and its variants for the canonical term', () => {
    const hits = m.match('教培中心开会。县教育培训中心学员……教培中心');
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ term: '教培中心', count: 3, forms: { 教培中心: 2, 教育培训中心: 1 } });
  });

  it('never counts a longer term again as the shorter term inside it (leftmost-longest)', () => {
    const hits = m.match('县职业技能教育培训中心和乡教培中心');
    expect(hits.map((h) => [h.term, h.count])).toEqual([
      ['职业技能教育培训中心', 1],
      ['教培中心', 1],
    ]);
  });

  it('matches traditional, spaced and radical-form text', () => {
    const hits = m.match('衛星工廠 與 卫 星 工 厂，教培中\u2F3C');
    expect(hits.map((h) => [h.term, h.count])).toEqual([
      ['教培中心', 1],
      ['卫星工厂', 2],
    ]);
  });

  it('returns hits in term-file order with a snippet around the first occurrence', () => {
    const hits = m.match('第一段。\n维稳工作要求：各乡镇卫星工厂要做好登记。');
    expect(hits.map((h) => h.term)).toEqual(['卫星工厂', '维稳']);
    expect(hits[0]!.snippet).toContain('卫星工厂');
    expect(hits[1]!.snippet.startsWith('第一段')).toBe(false);
  });

  it('reports nothing for text without terms', () => {
    expect(m.match('关于召开全县安全生产工作会议的通知')).toEqual([]);
  });

  it('rejects a form that belongs to two terms', () => {
    expect(() => new TermMatcher([t('教培中心'), t('培训', ['教培中心'])])).toThrow(/belongs to both/);
  });

  it('merges hits of a page and its attachments', () => {
    const page = m.match('卫星工厂');
    const att = m.match('卫星工厂；教培中心', 'attachment: 名单.xls');
    const merged = mergeHits([page, att], terms);
    expect(merged.map((h) => [h.term, h.count])).toEqual([
      ['教培中心', 1],
      ['卫星工厂', 2],
    ]);
    expect(merged[0]!.source).toBe('attachment: 名单.xls');
    expect(merged[1]!.source).toBe('page, attachment: 名单.xls');
  });
});

describe('snippetAround', () => {
  it('keeps context within the line and marks cuts', () => {
    const text = 'a'.repeat(50) + '卫星工厂' + 'b'.repeat(50);
    const s = snippetAround(text, 50, 4, 10);
    expect(s).toBe('…aaaaaaaaaa卫星工厂bbbbbbbbbb…');
  });
  it('does not run across a line break', () => {
    expect(snippetAround('第一行\n卫星工厂在这里\n第三行', 4, 4)).toBe('卫星工厂在这里');
  });
});
