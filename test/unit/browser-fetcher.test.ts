import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

// In its own process, which must end by itself: a leaked crawler (its autoscaled pool and
// system-info polling) or browser keeps a process alive for ever, as bench workers and a
// long-running watch would show.
const script = `
import { BrowserFetcher } from ${JSON.stringify(join(ROOT, 'dist/src/fetch/browser.js'))};
import { execFileSync } from 'node:child_process';
const chromium = () => execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).split('\\n').filter((l) => /chrom/i.test(l)).length;
const browser = new BrowserFetcher({ userAgent: 'xjwatch-test', sink: () => undefined, challengeTimeoutMs: 5000, navigationTimeoutMs: 30000 });
const results = await Promise.all(Array.from({ length: 8 }, (_, i) => browser.fetch({
  url: 'http://127.0.0.1:9/page-' + i + '.html', purpose: { siteId: 't', label: 'check' }, cookies: [],
  offline: { body: Buffer.from('<html><head><meta charset="utf-8"><title>第' + i + '页</title></head><body><p>卫星工厂 ' + i + '</p></body></html>'), contentType: 'text/html; charset=utf-8' },
})));
const during = chromium();
await browser.close();
console.log(JSON.stringify({ passed: results.map((r) => r.passed), third: results[3].html.includes('卫星工厂 3'), during }));
`;

describe('BrowserFetcher', () => {
  it('starts one crawler and one Chromium however many pages ask at once, and lets the process end after close()', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let errText = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (errText += d.toString()));
    const ended = await new Promise<number | 'hung'>((resolve) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('hung');
      }, 45_000);
      child.on('close', (code) => {
        clearTimeout(t);
        resolve(code ?? -1);
      });
    });
    expect(ended, errText).toBe(0);
    const r = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(r.passed).toEqual(Array(8).fill(true));
    expect(r.third).toBe(true);
    expect(r.during).toBe(1);
  }, 60_000);
});
