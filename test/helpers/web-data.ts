import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import type { FixturePosting } from '../../src/demo/sites/corpus.js';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import { startCanary, type Canary } from './canary.js';
import { BIN, runCli, tempDir, matrixEnv } from './cli.js';

export const HOSTILE_TITLE = '<script>alert(1)</script>卫星工厂<img src=x onerror=alert(2)>\u202E取领';

/** A posting that tries everything a page can to run, fetch or leave: every address on the canary. */
export function hostilePage(c: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${HOSTILE_TITLE}</title>
<link href="/style/style.css" rel="stylesheet"><link rel="stylesheet" href="${c}/evil.css"><link rel="prefetch" href="${c}/next.html"><link rel="dns-prefetch" href="${c}"><meta http-equiv="refresh" content="0;url=${c}/refresh">
<style>.x { background: url(${c}/bg.png); }</style><script src="${c}/track.js"></script></head>
<body onload="fetch('${c}/onload')"><div class="top"><img src="/images/logo.png"><img src="${c}/pixel.gif" srcset="${c}/a.png 2x"></div>
<h1>${HOSTILE_TITLE}</h1><div id="vsb_content"><p class="x" style="background-image:url('${c}/inline.png')">经研究决定，在兰干村新建卫星工厂一座。</p>
<a href="${c}/click">详见</a><form action="${c}/post"><input name="q"></form></div>
<iframe src="${c}/frame.html"></iframe><object data="${c}/o.swf"></object><video poster="${c}/poster.jpg"></video>
<script>fetch('${c}/x').catch(() => {}); new Image().src = '${c}/js.png'; window.parent.document.title = 'owned';</script></body></html>`;
}

export interface WebData {
  fx: RunningFixtures;
  canary: Canary;
  dataDir: string;
  dir: string;
  /** a posting edited between crawls (two captures, a word diff), one deleted (confirmed), the hostile one */
  edited: FixturePosting;
  deleted: FixturePosting;
  hostile: FixturePosting;
  close(): Promise<void>;
}

/**
 * A data directory as a researcher's looks after a few runs on the imitation county site: new
 * postings with attachments and screenshots, an edit, a confirmed deletion, a hostile page.
 */
export async function makeWebData(): Promise<WebData> {
  const canary = await startCanary();
  const fx = await startFixtureSites({ countyPostings: 20, hostile: false, challenges: false });
  const county = fx.sites.county;
  county.liveCounters = false;
  const withTerms = county.postings.filter(mentionsTrackedTerm);
  const [hostile, edited, deleted] = [withTerms[0]!, withTerms[1]!, withTerms[2]!];
  county.fail(new URL(county.postingUrl(hostile)).pathname, { status: 200, body: hostilePage(`http://localhost:${canary.port}`) });
  const dir = tempDir('xjwatch-web-');
  const file = join(dir, 'county.yaml');
  writeFileSync(file, siteFile('county', county, { screenshots: true }));
  const dataDir = join(dir, 'data');
  const crawl = async () => {
    const r = await runCli(['crawl', file, '--json', '--data-dir', dataDir], { timeoutMs: 240_000 });
    if (r.code !== 0) throw new Error(`crawl failed: ${r.stderr}`);
    return r;
  };
  await crawl();
  county.edit(edited.id, (p) => p.paragraphs.push('经研究，增设卫星工厂两座，统一输送结业学员。'));
  county.delete(deleted.id, '404');
  await crawl();
  await crawl();
  return {
    fx,
    canary,
    dataDir,
    dir,
    edited,
    deleted,
    hostile,
    close: async () => {
      await fx.close();
      await canary.close();
    },
  };
}

export interface Served {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<number | null>;
}

/** `xjwatch serve` as a user starts it, on a free port; resolves once it says where it serves. */
export function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { env: { ...process.env, NO_COLOR: '1', ...matrixEnv(args, env), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /serving .* at (http:\/\/\S+?)\/?[;\s]/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1]!.replace(/\/$/, ''),
          child,
          stderr: () => err,
          stop: () => new Promise((done) => (child.exitCode !== null ? done(child.exitCode) : (child.once('exit', (code) => done(code)), child.kill('SIGTERM')))),
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`serve exited ${code}: ${err}`), { code, stderr: err }));
    });
  });
}
