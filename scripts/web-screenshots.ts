// Regenerates docs/web-*.png, the README's pictures of the web view: runs the offline demo into a
// temporary data directory, serves it, and photographs the main pages in the system Chromium.
//   npm run screenshots
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { PACKAGE_ROOT } from '../src/version.js';

const BIN = join(PACKAGE_ROOT, 'bin/xjwatch.js');
const dir = mkdtempSync(join(tmpdir(), 'xjwatch-shots-'));
const data = join(dir, 'data');
const demo = spawnSync(process.execPath, [BIN, 'demo', '--data-dir', data], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (demo.status !== 0) throw new Error(`the demo failed (exit ${demo.status})`);
const edited = /xjwatch diff (\S+)/.exec(demo.stdout)?.[1];
const deleted = /xjwatch history (\S+)/.exec(demo.stdout)?.[1];
if (!edited || !deleted) throw new Error('the demo did not name an edited and a deleted page');

const server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', data], { stdio: ['ignore', 'ignore', 'pipe'] });
const base = await new Promise<string>((resolve, reject) => {
  let err = '';
  server.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    const m = /at (http:\/\/\S+?)\/?;/.exec(err);
    if (m) resolve(m[1]!);
  });
  server.once('exit', () => reject(new Error(`serve stopped: ${err}`)));
});
const browser = await chromium.launch({ executablePath: process.env.XJWATCH_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const idOf = async (url: string) => ((await (await fetch(`${base}/api/v1/pages?url=${encodeURIComponent(url)}`)).json()) as { id: number }).id;
  const [e, d] = [await idOf(edited), await idOf(deleted)];
  const shots: [string, string][] = [
    ['/', 'web-overview.png'],
    ['/timeline', 'web-timeline.png'],
    [`/page/${e}/diff?view=side`, 'web-diff.png'],
    [`/page/${d}`, 'web-deleted.png'],
  ];
  for (const [path, file] of shots) {
    await page.goto(`${base}${path}`);
    // the diff whole: both versions' screenshots are under the text
    await page.screenshot({ path: join(PACKAGE_ROOT, 'docs', file), fullPage: file === 'web-diff.png' });
    console.log(`docs/${file}  ${path}`);
  }
} finally {
  await browser.close();
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
