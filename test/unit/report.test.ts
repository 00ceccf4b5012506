import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { renderReport, type ReportPage } from '../../src/evidence/report.js';

const hostile = '<script>alert(1)</script><img src=http://evil.example/x.png onerror=alert(2)>';
const page: ReportPage = {
  n: 1,
  url: 'http://127.0.0.1/info/1.htm?"><script>alert(3)</script>',
  site: `县政府${hostile}`,
  title: `通知${hostile}`,
  published: '2019-05-12',
  verdict: { name: 'gone-hard', headline: 'deleted (http_404), confirmed on 2 checks with healthy controls', deleted: true, reason: 'http_404', confirmedOn: 2, canConclude: [hostile], cannotConclude: [] },
  timeline: [{ at: '2026-01-01T00:00:00Z', what: 'capture 1', status: '200', ip: '127.0.0.1', result: hostile, sha256: 'ab', controls: hostile }],
  hits: [{ term: '卫星工厂', gloss: 'satellite factory', count: 1, snippet: `建设卫星工厂${hostile}`, places: ['名单.xls#花名册!E214', `${hostile}.xls#page=1`] }],
  excerpt: `正文${hostile}`,
  diff: { from: 'a', to: 'b', parts: [{ type: 'added', text: hostile }, { type: 'removed', text: '旧' }, { type: 'same', text: '同' }] },
  pictures: [{ label: hostile, png: 'pages/1/pictures/last-live.png' }],
  files: [{ label: hostile, path: 'pages/1/captures/1.html' }],
  attachments: [{ name: hostile, url: 'http://127.0.0.1/a.pdf', sha256: null }],
  listed: [hostile],
};

describe('report.html', () => {
  const html = renderReport({ madeAt: 'now', software: 'xjwatch/test', pages: [page], stamps: [], custodyHead: '#1 00' });

  it('escapes every page-derived string: no script, no remote image, no attribute break-out', () => {
    const $ = cheerio.load(html);
    expect($('script').length).toBe(0);
    expect($('img').map((_, e) => $(e).attr('src')).get()).toEqual(['pages/1/pictures/last-live.png']);
    expect($('*').filter((_, e) => Object.keys((e as { attribs?: object }).attribs ?? {}).some((a) => a.startsWith('on'))).length).toBe(0);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<ins>&lt;script&gt;');
  });

  it('shows a bidirectional override in a title as ⟨U+202E⟩ instead of obeying it', () => {
    const rlo = renderReport({ madeAt: 'now', software: 'xjwatch/test', pages: [{ ...page, title: '关于\u202E知通的' }], stamps: [], custodyHead: '#1 00' });
    expect(rlo).toContain('关于⟨U+202E⟩知通的');
    expect(rlo).not.toContain('\u202E');
    // Uyghur's joiners are letters' business, not hidden instructions
    expect(renderReport({ madeAt: 'now', software: 'xjwatch/test', pages: [{ ...page, title: 'قەشقەر\u200Cشەھىرى' }], stamps: [], custodyHead: '#1 00' })).toContain('قەشقەر\u200Cشەھىرى');
  });

  it('forbids remote assets by its own policy and loads nothing but its own files', () => {
    expect(html).toContain(`content="default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"`);
    expect([...html.matchAll(/(?:src|href)="([^"#][^"]*)"/g)].map((m) => m[1])).toEqual(['pages/1/pictures/last-live.png']);
  });

  it('states the verdict, with the Chinese original marked as such', () => {
    expect(html).toContain('Verdict: deleted (http_404), confirmed on 2 checks with healthy controls');
    expect(html).toContain('<td lang="zh">卫星工厂</td><td>satellite factory</td>');
  });

  it('says where in the attachments each term is', () => {
    const $ = cheerio.load(html);
    const row = $('td').filter((_, e) => $(e).text() === '卫星工厂').parent();
    expect(row.find('td').last().html()).toBe('名单.xls#花名册!E214<br>&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=http://evil.example/x.png onerror=alert(2)&gt;.xls#page=1');
  });
});
