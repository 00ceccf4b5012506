import { describe, expect, it } from 'vitest';
import { PrefectureTrsSite } from '../../src/demo/sites/prefecture-trs.js';
import { parseHtml } from '../../src/extract/html.js';
import { extractPosting } from '../../src/extract/posting.js';
import { readingText } from '../../src/terms/reading.js';
import { TermMatcher } from '../../src/terms/matcher.js';
import { normalizeMapped } from '../../src/terms/original-map.js';
import { normalizeText } from '../../src/terms/normalize.js';

/**
 * Extraction as a reader reads: the date a reader sees, terms counted once per occurrence, and
 * quotes in the page's own characters. The pages are cut down from the structures real sites use
 * (research notes: TRS, Kaipuyun/Hanweb 政府信息公开 pages, VSB).
 */
const page = (head: string, body: string) => `<html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;

describe('the date to cite', () => {
  it('is the one shown with the title, not a TRS page\'s regenerated PubDate; the disagreement is noted', () => {
    const html = page(
      '<title>关于做好2017年春季职业技能培训的通知</title><meta name="PubDate" content="2022-06-15 03:12:41">',
      '<h1>关于做好2017年春季职业技能培训的通知</h1><div class="art_info"><span>来源：喀什地区人社局</span><span>发布日期：2017-03-21</span></div><div class="TRS_Editor"><p>各县市：现将有关事项通知如下。</p></div>',
    );
    const ex = extractPosting(parseHtml(html), 'http://www.kashi.gov.cn/xxgk/tzgg/content.html');
    expect(ex).toMatchObject({ published: '2017-03-21', dateSource: 'label' });
    expect(ex.problems.join('\n')).toContain('dates disagree: the page\'s 发布日期 says 2017-03-21 (kept), <meta name="pubdate"> 2022-06-15');
  });

  it('reads the info table of a 政府信息公开 page, 发布日期 before 成文日期 whatever their order', () => {
    const html = page(
      '<meta name="PubDate" content="2023-01-05">',
      `<table class="xxgk-info"><tr><td>索引号：</td><td>11653100010-2018-00012</td><td>发布机构：</td><td>地区发改委</td></tr>
       <tr><td>成文日期：</td><td>2018年11月02日</td><td>发布日期：</td><td>2018年11月09日</td></tr></table>
       <h1>关于卫星工厂建设补助资金的公示</h1><div id="zoom"><p>根据有关规定，现予公示。</p></div><div class="footer">更新时间：2023-01-05</div>`,
    );
    const ex = extractPosting(parseHtml(html), 'http://www.xjdrc.gov.cn/info/1033/12345.htm');
    expect(ex.published).toBe('2018-11-09');
  });

  it('takes the URL\'s date before the meta data when the page shows none', () => {
    const html = page('<meta name="PubDate" content="2022-06-15 03:12:41">', '<h1>通知</h1><div class="TRS_Editor"><p>各县市：现将有关事项通知如下，请遵照执行。</p></div>');
    const ex = extractPosting(parseHtml(html), 'http://www.kashi.gov.cn/xxgk/tzgg/201703/t20170321_1234.html');
    expect(ex).toMatchObject({ published: '2017-03-21', dateSource: 'url' });
    expect(ex.problems.join('\n')).toContain('dates disagree');
  });

  it('is the shown date on every page of the TRS imitation, whose older pages carry a regenerated PubDate', () => {
    const site = Object.assign(new PrefectureTrsSite(), { base: 'http://pref.test' });
    const old = site.postings.filter((p) => p.date < '2021-01-01');
    expect(old.length).toBeGreaterThan(0);
    for (const p of old) {
      const ex = extractPosting(parseHtml(site.postingHtml(p)), site.postingUrl(p), {}, site.title);
      expect(ex.published).toBe(p.date);
      expect(ex.problems.some((x) => x.startsWith('dates disagree'))).toBe(true);
    }
  });
});

describe('terms counted as a reader counts them', () => {
  const matcher = new TermMatcher([{ term: '卫星工厂', variants: [], tags: [] }]);
  const count = (html: string) => {
    const ex = extractPosting(parseHtml(html), 'http://county.test/info/1/2.htm');
    return matcher.matchText(readingText(ex.title, ex.text))[0]?.count ?? 0;
  };

  it('a title in <title>, <h1> inside the text block, and one mention in the text: 2', () => {
    const html = page('<title>关于新建卫星工厂的批复</title>', '<div id="vsb_content"><h1>关于新建卫星工厂的批复</h1><p>同意在兰干村新建卫星工厂一座。</p></div>');
    expect(count(html)).toBe(2);
  });

  it('a title outside the text block: still 2', () => {
    const html = page('<title>关于新建卫星工厂的批复</title>', '<h1>关于新建卫星工厂的批复</h1><div id="vsb_content"><p>同意在兰干村新建卫星工厂一座，吸纳富余劳动力就业。</p></div>');
    expect(count(html)).toBe(2);
  });
});

describe('quotes in the page\'s own characters', () => {
  const matcher = new TermMatcher([{ term: '教培中心', variants: ['职业技能教育培训中心'], tags: [] }]);

  it('keeps full-width punctuation and traditional characters that matching folds', () => {
    const text = '根據安排，全縣職業技能教育培訓中心（教培中心）於３月開班。';
    const [hit] = matcher.matchText(text);
    expect(hit!.count).toBe(2);
    expect(hit!.snippet).toBe('根據安排，全縣職業技能教育培訓中心（教培中心）於３月開班。');
    expect(hit!.snippet).not.toContain(',');
  });

  it('cuts the quote where the normalised snippet is cut, and shows spaced-out PDF text as written', () => {
    const text = `${'前言'.repeat(40)}。\n各乡镇：教 培 中 心学员名单见附件。${'后记'.repeat(40)}`;
    const [hit] = matcher.matchText(text);
    expect(hit!.snippet.startsWith('各乡镇：教 培 中 心')).toBe(true);
    expect(hit!.snippet.endsWith('…')).toBe(true);
  });

  it('maps every normalised character back to the original (and agrees with normalizeText)', () => {
    for (const text of ['  ＡＢＣ，教培中\u2F3C\u200B abc\n\n職業  技能 ', '轉移內地就業⻔路', 'x\u0301y', '']) {
      const m = normalizeMapped(text);
      if (!m) continue; // a combining sequence: the normalised snippet is used
      expect(m.norm).toBe(normalizeText(text));
      expect(m.origin.length).toBe(m.norm.length);
      for (let i = 1; i < m.origin.length; i++) expect(m.origin[i]!).toBeGreaterThanOrEqual(m.origin[i - 1]!);
    }
  });
});
