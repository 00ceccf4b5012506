import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCanary, type Canary } from '../helpers/canary.js';
import { ROOT } from '../helpers/cli.js';

/**
 * A rendering of a kept capture is a replay: a canary on 127.0.0.1 that the capture names in
 * every way a page can reach out (stylesheet, image, frame, script, fetch, beacon, WebSocket,
 * preload, prefetch, a service worker) must see no connection at all.
 */
let canary: Canary;
beforeAll(async () => {
  canary = await startCanary();
});
afterAll(() => canary.close());

describe('rendering a kept capture', () => {
  it('makes no request beyond the recorded page, and names what it refused', async () => {
    const c = `http://127.0.0.1:${canary.port}`;
    const html = `<html><head><meta charset="utf-8"><title>通知</title>
      <link rel="stylesheet" href="${c}/a.css"><link rel="preload" as="font" href="${c}/f.woff2"><link rel="prefetch" href="${c}/next.html"><link rel="preconnect" href="${c}"><meta http-equiv="refresh" content="0;url=${c}/refresh">
      <script src="${c}/s.js"></script></head><body><h1>关于卫星工厂的通知</h1><img src="${c}/b.png"><iframe src="${c}/frame.html"></iframe>
      <script>fetch('${c}/x').catch(() => {}); navigator.sendBeacon('${c}/beacon'); try { new WebSocket('${c.replace('http', 'ws')}/ws'); } catch {}
      navigator.serviceWorker && navigator.serviceWorker.register('${c}/sw.js').catch(() => {});
      setTimeout(() => { location.href = '${c}/moved'; }, 50);</script></body></html>`;
    const script = `
      import { BrowserFetcher } from ${JSON.stringify(join(ROOT, 'dist/src/fetch/browser.js'))};
      const b = new BrowserFetcher({ userAgent: 'xjwatch-test', sink: () => undefined, challengeTimeoutMs: 5000, navigationTimeoutMs: 30000 });
      const r = await b.fetch({ url: 'http://127.0.0.1:9/info/1.htm', purpose: { siteId: 't', label: 'check' }, cookies: [], screenshot: true, pdf: true,
        offline: { body: Buffer.from(${JSON.stringify(html)}), contentType: 'text/html; charset=utf-8' } });
      await b.close();
      console.log(JSON.stringify({ passed: r.passed, png: Boolean(r.screenshot), pdf: Boolean(r.pdf), title: r.html.includes('卫星工厂'), url: r.finalUrl, refused: r.refused ?? [] }));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let errText = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (errText += d.toString()));
    await new Promise((r) => child.on('close', r));
    const r = JSON.parse(out.trim().split('\n').pop() ?? '{}', (_, v) => v) as { passed: boolean; png: boolean; pdf: boolean; title: boolean; url: string; refused: string[] };
    // the page's attempts to go elsewhere (meta refresh, script) leave the capture in place
    expect(r, errText).toMatchObject({ passed: true, png: true, pdf: true, title: true, url: 'http://127.0.0.1:9/info/1.htm' });
    // give any late request a moment to arrive
    await new Promise((res) => setTimeout(res, 500));
    expect(canary.connections()).toBe(0);
    expect(r.refused).toEqual(expect.arrayContaining([`${c}/a.css`, `${c}/s.js`, `${c}/b.png`, `${c}/frame.html`]));
  }, 60_000);
});
