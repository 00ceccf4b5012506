import { describe, expect, it } from 'vitest';
import { parseHtml } from '../../src/extract/html.js';
import { cssRequisites, htmlRequisites } from '../../src/extract/requisites.js';
import { sameSite } from '../../src/schedule/requisites.js';

describe('page requisites', () => {
  it('finds what a browser draws the page with, resolved against <base>, and leaves scripts and frames out', () => {
    const $ = parseHtml(`<html><head><base href="http://www.x.gov.cn/a/"><link rel="stylesheet" href="s.css"><link rel="alternate stylesheet" href="alt.css">
      <link rel="icon" href="/favicon.ico"><script src="/app.js"></script><style>@import "print.css"; .b { background: url( 'bg.png' ) }</style></head>
      <body background="/images/bg.gif"><img src="logo.png#top"><img srcset="small.png 1x, big.png 2x"><img src="data:image/png;base64,AAAA">
      <td style="background:url(cell.png)"></td><iframe src="/frame.html"></iframe><input type="image" src="/go.png"></body></html>`);
    expect(htmlRequisites($, 'http://www.x.gov.cn/page.html')).toEqual([
      { url: 'http://www.x.gov.cn/a/s.css', kind: 'style' },
      { url: 'http://www.x.gov.cn/a/logo.png', kind: 'image' },
      { url: 'http://www.x.gov.cn/go.png', kind: 'image' },
      { url: 'http://www.x.gov.cn/a/small.png', kind: 'image' },
      { url: 'http://www.x.gov.cn/images/bg.gif', kind: 'image' },
      { url: 'http://www.x.gov.cn/a/cell.png', kind: 'image' },
      { url: 'http://www.x.gov.cn/a/print.css', kind: 'style' },
      { url: 'http://www.x.gov.cn/a/bg.png', kind: 'image' },
    ]);
  });

  it('reads a stylesheet’s imports, fonts and images relative to the sheet, skipping comments', () => {
    const css = `@import url("base.css"); /* url(commented.png) */ @font-face { src: url(../fonts/fs.woff2) format("woff2"); } .t { background: url("/img/t.png") }`;
    expect(cssRequisites(css, 'http://x.gov.cn/style/main.css')).toEqual([
      { url: 'http://x.gov.cn/style/base.css', kind: 'style' },
      { url: 'http://x.gov.cn/fonts/fs.woff2', kind: 'image' },
      { url: 'http://x.gov.cn/img/t.png', kind: 'image' },
    ]);
  });

  it('stays linear on hostile sheets: a megabyte of unclosed url( and /* ends, finding nothing', () => {
    expect(cssRequisites('url('.repeat(500_000), 'http://x.gov.cn/s.css').length).toBe(0);
    expect(cssRequisites('/*'.repeat(1_000_000), 'http://x.gov.cn/s.css')).toEqual([]);
  });

  it('same site: the page’s host, the site’s, and their subdomains; not another host or a look-alike', () => {
    const page = 'http://www.kashi.gov.cn/xxgk/1.html';
    expect(sameSite('http://www.kashi.gov.cn/s.css', page, 'www.kashi.gov.cn')).toBe(true);
    expect(sameSite('http://static.kashi.gov.cn/s.css', page, 'www.kashi.gov.cn')).toBe(true);
    expect(sameSite('https://kashi.gov.cn:8443/s.css', page, 'www.kashi.gov.cn')).toBe(true);
    expect(sameSite('http://cdn.example.com/s.css', page, 'www.kashi.gov.cn')).toBe(false);
    expect(sameSite('http://evilkashi.gov.cn/s.css', page, 'www.kashi.gov.cn')).toBe(false);
    expect(sameSite('http://gov.cn/s.css', page, 'www.kashi.gov.cn')).toBe(false);
  });
});
