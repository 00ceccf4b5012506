import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserFetcher, type OfflinePage } from '../src/fetch/browser.js';
import { BlobStore } from '../src/store/blobs.js';
import { openDb } from '../src/store/db.js';
import { requisitesOf } from '../src/store/renderings.js';
import { solidPng } from '../src/demo/sites/site.js';
import { DIST, median } from './harness.js';

const ROUNDS = 5;
const IMAGES = 14;
const FONT_IMAGES = 4;
const CLI = join(DIST, '..', 'bin', 'xjwatch.js');

/** A posting with 20 requisites: 2 stylesheets, 14 images it names, 4 its stylesheet names; and a tracker elsewhere. */
function site(canary: string): { pages: Record<string, { type: string; body: Buffer }> } {
  const img = (i: number) => `/images/p${i}.png`;
  const css = `@import "more.css";\nbody { background: url(/images/bg0.png); }\n${Array.from({ length: FONT_IMAGES - 1 }, (_, i) => `.c${i} { background: url(/images/bg${i + 1}.png); }`).join('\n')}\n`;
  const posting = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>关于卫星工厂建设的通知</title><link rel="stylesheet" href="/style/main.css">
<script src="${canary}/track.js"></script></head><body><h1>关于卫星工厂建设的通知</h1>
${Array.from({ length: IMAGES }, (_, i) => `<img src="${img(i)}" width="40" height="40">`).join('')}
<div>${'经研究决定，在兰干村新建卫星工厂一座，吸纳富余劳动力就业。'.repeat(20)}</div><img src="${canary}/pixel.gif"></body></html>`;
  const pages: Record<string, { type: string; body: Buffer }> = {
    '/list.html': { type: 'text/html; charset=utf-8', body: Buffer.from(`<html><head><title>通知公告</title></head><body><ul><li><a href="/xxgk/tzgg/201903/t20190321_12345.html">关于卫星工厂建设的通知</a></li></ul></body></html>`) },
    '/xxgk/tzgg/201903/t20190321_12345.html': { type: 'text/html; charset=utf-8', body: Buffer.from(posting) },
    '/style/main.css': { type: 'text/css', body: Buffer.from(css) },
    '/style/more.css': { type: 'text/css', body: Buffer.from('h1 { color: #c00; }') },
  };
  for (let i = 0; i < IMAGES; i++) pages[img(i)] = { type: 'image/png', body: solidPng(40, 40, [i * 15, 80, 160]) };
  for (let i = 0; i < FONT_IMAGES; i++) pages[`/images/bg${i}.png`] = { type: 'image/png', body: solidPng(8, 8, [200, i * 40, 40]) };
  return { pages };
}

async function serve(handler: http.RequestListener): Promise<{ server: http.Server; base: string; hits: () => number }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

/**
 * bench/render: a capture with 20 same-site requisites (and two trackers on another host),
 * pictured in Chromium. Baseline, in the same run: the page loaded live, as renderings were made
 * before they were replays. Then: `xjwatch crawl` records the capture and its requisites, and
 * the capture is replayed from the catalogue and blobs alone. Requests reaching any server while
 * replaying: the aim is 0.
 */
export async function benchRender(): Promise<Record<string, number>> {
  const canary = await serve((_, res) => res.end(''));
  const canaryUrl = canary.base.replace('127.0.0.1', 'localhost');
  const { pages } = site(canaryUrl);
  const origin = await serve((req, res) => {
    const p = pages[new URL(req.url ?? '/', 'http://x').pathname];
    if (!p) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': p.type, 'content-length': String(p.body.length) }).end(p.body);
  });
  const work = mkdtempSync(join(tmpdir(), 'xjwatch-bench-render-'));
  const browser = new BrowserFetcher({ userAgent: 'xjwatch-bench', sink: () => undefined, challengeTimeoutMs: 5000, navigationTimeoutMs: 30000 });
  try {
    const file = join(work, 'site.yaml');
    writeFileSync(file, `id: bench\nname: bench render\nhome: ${origin.base}/\nrate: { perHost: 4, delayMs: 0 }\nscreenshots: true\nlists:\n  - url: ${origin.base}/list.html\n`);
    const data = join(work, 'data');
    const before = origin.hits();
    // not spawnSync: the servers answering it live in this process
    await promisify(execFile)(process.execPath, [CLI, 'crawl', file, '--data-dir', data]);
    const crawlRequests = origin.hits() - before;

    const db = openDb(data, { readonly: true });
    const blobs = new BlobStore(join(data, 'blobs'));
    const capture = db.prepare(`SELECT c.id, c.body_sha256, c.content_type FROM captures c JOIN pages p ON p.id = c.page_id WHERE p.url = ?`).get(`${origin.base}/xxgk/tzgg/201903/t20190321_12345.html`) as { id: number; body_sha256: string; content_type: string };
    const recorded = requisitesOf(db, capture.id);
    const offline: OfflinePage = {
      body: blobs.get(capture.body_sha256),
      contentType: capture.content_type,
      requisites: new Map(recorded.map((r) => [r.url, { status: r.status ?? 200, contentType: r.content_type ?? '', body: () => blobs.get(r.body_sha256!) }])),
    };
    db.close();

    const url = `${origin.base}/xxgk/tzgg/201903/t20190321_12345.html`;
    const purpose = { siteId: 'bench', label: 'check' as const };
    await browser.fetch({ url, purpose, cookies: [], screenshot: true, offline }); // the pool's start, not counted
    const live: number[] = [];
    const replay: number[] = [];
    let liveRequests = 0;
    let replayRequests = 0;
    let refused = 0;
    for (let r = 0; r < ROUNDS; r++) {
      let n = origin.hits() + canary.hits();
      let t = performance.now();
      await browser.fetch({ url, purpose, cookies: [], screenshot: true, pdf: true });
      live.push(performance.now() - t);
      liveRequests = origin.hits() + canary.hits() - n;
      n = origin.hits() + canary.hits();
      t = performance.now();
      const res = await browser.fetch({ url, purpose, cookies: [], screenshot: true, pdf: true, offline });
      replay.push(performance.now() - t);
      await new Promise((ok) => setTimeout(ok, 100));
      replayRequests += origin.hits() + canary.hits() - n;
      refused = res.refused?.length ?? 0;
    }
    const figures = {
      requisites_recorded: recorded.length,
      crawl_requests: crawlRequests,
      live_requests_per_picture: liveRequests,
      replay_requests: replayRequests,
      replay_refused_per_picture: refused,
      live_ms: Math.round(median(live)),
      replay_ms: Math.round(median(replay)),
      ratio: Number((median(live) / median(replay)).toFixed(2)),
    };
    console.log(`render: a capture with ${IMAGES + FONT_IMAGES + 2} same-site requisites and 2 trackers on another host, screenshot + PDF print, median of ${ROUNDS}`);
    console.log(`  crawl: ${crawlRequests} requests, ${recorded.length} requisites recorded with the capture`);
    console.log(`  live load (baseline): ${figures.live_ms} ms, ${liveRequests} requests per picture`);
    console.log(`  replay from the record: ${figures.replay_ms} ms, ${replayRequests} requests in ${ROUNDS} pictures (${refused} refused inside the browser each)   speed ratio ${figures.ratio}`);
    return figures;
  } finally {
    await browser.close();
    origin.server.close();
    canary.server.close();
    rmSync(work, { recursive: true, force: true });
  }
}
