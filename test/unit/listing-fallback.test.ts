import { describe, expect, it } from 'vitest';
import { renderMail } from '../../src/alerts/render.js';
import { selectorBroken } from '../../src/detect/site-broken.js';
import { parseHtml } from '../../src/extract/html.js';
import { extractListing } from '../../src/extract/listing.js';

const page = 'http://www.example.gov.cn/xxgk/tzgg/index.htm';
const listHtml = `<html><body><div class="new-list"><ul>
  <li><a href="/info/1011/5001.htm">关于开展职业技能培训的通知</a></li>
  <li><a href="/info/1011/5002.htm">关于扶贫车间建设的通知</a></li>
  <li><a href="http://other.gov.cn/info/1011/9.htm">外站</a></li>
</ul></div><a href="/xxgk/tzgg/index/2.htm">下一页</a><a href="/about.htm">关于我们</a></body></html>`;

describe('extractListing when links: matches nothing', () => {
  it('falls back to same-site links of a posting URL shape, saying so', () => {
    const l = extractListing(parseHtml(listHtml), page, { links: 'ul.old-list a[href]' });
    expect(l.method).toBe('url-shape');
    expect(l.fallback).toEqual({ from: 'selector', links: 'ul.old-list a[href]' });
    expect(l.postings.map((p) => p.url)).toEqual(['http://www.example.gov.cn/info/1011/5001.htm', 'http://www.example.gov.cn/info/1011/5002.htm']);
  });

  it('falls back for a /regex/ that matches nothing too', () => {
    const l = extractListing(parseHtml(listHtml), page, { links: '/\\/content\\/\\d+/' });
    expect(l.fallback?.from).toBe('regex');
    expect(l.postings).toHaveLength(2);
  });

  it('does not fall back while the selector matches', () => {
    const l = extractListing(parseHtml(listHtml), page, { links: 'div.new-list a[href]' });
    expect(l.method).toBe('selector');
    expect(l.fallback).toBeUndefined();
  });

  it('finds nothing, and no fallback, on an empty body or a page without posting-shaped links', () => {
    for (const html of ['', '<html><body><p>系统维护中</p><a href="/index.htm">首页</a></body></html>']) {
      const l = extractListing(parseHtml(html), page, { links: 'ul.old-list a[href]' });
      expect(l.postings).toEqual([]);
      expect(l.fallback).toBeUndefined();
      expect(l.method).toBe('selector');
    }
  });
});

describe('selectorBroken', () => {
  const at = '2026-01-02T00:00:00.000Z';
  const f = { links: 'ul.old-list a[href]', found: 2 };
  it('says the selector broke and what the fallback found', () => {
    const e = selectorBroken('x', page, { lastYieldedAt: '2026-01-01T00:00:00.000Z', reportedSince: false }, f, at)!;
    expect(e).toMatchObject({ kind: 'site_broken', reason: 'selector_matches_nothing', selector: f.links, fallback: { method: 'url-shape', postings: 2 } });
    expect(e.detail).toContain('2 posting link(s) were found by their URL shape');
  });
  it('is said for a list that never yielded (a wrong site file), once', () => {
    expect(selectorBroken('x', page, { lastYieldedAt: null, reportedSince: false }, f, at)?.detail).toContain('never yielded');
    expect(selectorBroken('x', page, { lastYieldedAt: null, reportedSince: true }, f, at)).toBeUndefined();
  });
});

describe('the site_broken mail of a broken selector', () => {
  it('says the selector broke and that the fallback found postings, escaped', () => {
    const e = selectorBroken('x', page, { lastYieldedAt: null, reportedSince: false }, { links: 'a[title="<b>"]', found: 7 }, '2026-01-02T00:00:00.000Z')!;
    const m = renderMail([{ kind: 'site_broken', site: 'x', siteName: '某县', url: page, title: '', published: null, body: e as unknown as Record<string, unknown>, hits: [] }], { tz: 'UTC', terms: [] });
    expect(m.text).toContain('selector_matches_nothing — links: a[title="<b>"] matches nothing on the list page; 7 posting link(s) were found by their URL shape instead');
    expect(m.html).toContain('links: a[title=&quot;&lt;b&gt;&quot;] matches nothing');
    expect(m.html).not.toContain('<b>"]');
  });
});
