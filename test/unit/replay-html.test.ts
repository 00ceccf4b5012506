import { describe, expect, it } from 'vitest';
import { inertCss, inertPage } from '../../src/web/replay-html.js';

const local = (u: string) => `/r?u=${encodeURIComponent(u)}`;

describe('a captured page made inert for the replay frame', () => {
  it('keeps recorded requisites (as its <base> resolved them) and turns every other address into data-xj-*', () => {
    const html = `<html><head><base href="http://cdn.example/x/"><meta http-equiv="refresh" content="0;url=http://evil.example/"><meta charset="gbk">
<link rel="stylesheet" href="s.css"><link rel="stylesheet" href="http://evil.example/e.css"><link rel="dns-prefetch" href="//evil.example"><script>alert(1)</script></head>
<body onload="x()"><img src="logo.png" onerror="y()"><img src="http://evil.example/p.gif" srcset="http://evil.example/a.png 2x"><a href="/next.htm" onclick="z()">下一页</a>
<form action="http://evil.example/post"><input formaction="http://evil.example/f"></form><iframe src="http://evil.example/f"></iframe><p style="color:red">卫星工厂</p></body></html>`;
    const out = inertPage(html, 'http://site.example/info/1.htm', new Set(['http://cdn.example/x/s.css', 'http://cdn.example/x/logo.png']), local);
    expect(out).not.toMatch(/<(script|iframe|base|meta)\b/i);
    expect(out).not.toMatch(/\son\w+="/);
    expect(out).toContain(`href="${local('http://cdn.example/x/s.css')}"`);
    expect(out).toContain(`src="${local('http://cdn.example/x/logo.png')}"`);
    expect(out).not.toContain('e.css');
    expect(out).not.toContain('dns-prefetch');
    expect(out).toContain('data-xj-src="http://evil.example/p.gif"');
    expect(out).toContain('data-xj-srcset="http://evil.example/a.png 2x"');
    expect(out).toContain('data-xj-href="http://cdn.example/next.htm"');
    expect(out).toContain('data-xj-action="http://evil.example/post"');
    expect(out).toMatch(/<p style="color:red">卫星工厂<\/p>/);
    // the only addresses left in real attributes are the view's own
    expect(out.replace(/data-xj-[\w-]+="[^"]*"/g, '')).not.toMatch(/https?:\/\//);
  });

  it('points a recorded stylesheet at recorded pictures and empties the rest', () => {
    const css = `@import "other.css"; @import url(http://evil.example/i.css); .a{background:url('bg.png')} .b{background:url(http://evil.example/x.png)} .c{background:url(data:image/png;base64,AAAA)}`;
    const out = inertCss(css, 'http://site.example/style/s.css', new Set(['http://site.example/style/other.css', 'http://site.example/style/bg.png']), local);
    expect(out).toContain(`@import url("${local('http://site.example/style/other.css')}")`);
    expect(out).toContain(`url("${local('http://site.example/style/bg.png')}")`);
    expect(out).not.toContain('evil.example');
    expect(out).toContain('url("data:image/png;base64,AAAA")');
  });
});
