import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCatalogue } from '../helpers/catalogue.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { mentionsTrackedTerm } from '../../src/demo/sites/site.js';
import { startCanary, type Canary } from '../helpers/canary.js';
import { runCli, tempDir } from '../helpers/cli.js';

/**
 * Pictures are replays, through the real CLI: a posting names its own stylesheet (which imports
 * another, and draws a banner and a rule), its logo, and — on another host, a canary — a
 * stylesheet, images, a frame, scripts, a font, fetches, a beacon and a WebSocket. The crawl records
 * the same-site requisites once; rendering it, re-rendering it when it is deleted and proving it
 * reach neither the site's requisites again nor the canary at all.
 */
let fx: RunningFixtures;
let canary: Canary;
const REQUISITES = ['/style/style.css', '/style/font.css', '/images/banner.png', '/images/line.png', '/images/logo.png'];

beforeAll(async () => {
  canary = await startCanary();
  fx = await startFixtureSites({ countyPostings: 12, hostile: false, challenges: false });
  fx.sites.county.liveCounters = false;
});
afterAll(async () => {
  await canary.close();
  await fx?.close();
});

function hostilePosting(c: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>关于卫星工厂建设的通知</title>
<link href="../../style/style.css" rel="stylesheet"><link rel="stylesheet" href="${c}/evil.css"><link rel="preload" as="font" href="${c}/f.woff2"><link rel="prefetch" href="${c}/next.html"><link rel="preconnect" href="${c}"><link rel="dns-prefetch" href="${c}"><meta http-equiv="refresh" content="0;url=${c}/refresh">
<style>@font-face { font-family: x; src: url(${c}/font.woff); } .x { background: url(${c}/bg.png); font-family: x; }</style>
<script src="${c}/track.js"></script></head>
<body><div class="top"><img src="/images/logo.png"><img src="${c}/pixel.gif"></div>
<form><h1>关于卫星工厂建设的通知</h1></form>
<div id="vsb_content"><p class="x" style="background-image:url('${c}/inline.png')">经研究决定，在兰干村新建卫星工厂一座，吸纳富余劳动力就业。</p></div>
<iframe src="${c}/frame.html"></iframe><video poster="${c}/poster.jpg"></video>
<script>fetch('${c}/x').catch(() => {}); navigator.sendBeacon('${c}/beacon'); try { new WebSocket('${c.replace('http', 'ws')}/ws'); } catch {}
new Image().src = '${c}/js-image.png'; navigator.serviceWorker && navigator.serviceWorker.register('/sw.js').catch(() => {});</script></body></html>`;
}

describe('pictures replayed from the WARC', () => {
  it('records same-site requisites once, and rendering, re-rendering and proving reach nothing', async () => {
    const county = fx.sites.county;
    const c = `http://localhost:${canary.port}`;
    const victim = county.postings.find(mentionsTrackedTerm)!;
    const url = county.postingUrl(victim);
    const path = new URL(url).pathname;
    county.fail(path, { status: 200, body: hostilePosting(c) });
    const dir = tempDir('xjwatch-replay-');
    const file = join(dir, 'county.yaml');
    writeFileSync(file, siteFile('county', county, { screenshots: true }));
    const data = join(dir, 'data');
    const crawl = () => runCli(['crawl', file, '--json', '--data-dir', data], { timeoutMs: 180_000 });

    const first = await crawl();
    expect(first.code, first.stderr).toBe(0);
    expect(first.json.some((e) => e.url === url && e.kind === 'new_posting')).toBe(true);
    // every requisite asked for once, however many postings name it
    for (const r of REQUISITES) expect(county.hits.get(r), r).toBe(1);

    county.delete(victim.id, '404');
    await crawl();
    const third = await crawl();
    expect(third.json.some((e) => e.url === url && e.kind === 'deleted')).toBe(true);

    const bundle = join(dir, 'bundle');
    const proved = await runCli(['prove', url, '--out', bundle, '--data-dir', data]);
    expect(proved.code, proved.stderr).toBe(0);
    const verified = await runCli(['verify', bundle]);
    expect(verified.code, verified.stdout).toBe(0);
    await new Promise((res) => setTimeout(res, 300)); // a late request would arrive by now

    expect(canary.connections()).toBe(0);
    for (const r of REQUISITES) expect(county.hits.get(r), `${r} fetched again`).toBe(1);

    const db = openCatalogue(data);
    const pictures = db
      .prepare(`SELECT r.problem, r.png_sha256 FROM renderings r JOIN pages p ON p.id = r.page_id WHERE p.url = ? AND r.what = 'capture' ORDER BY r.id`)
      .all(url) as { problem: string; png_sha256: string }[];
    const held = db.prepare(`SELECT count(*) AS n FROM requisites q JOIN captures c ON c.id = q.capture_id JOIN pages p ON p.id = c.page_id WHERE p.url = ?`).get(url) as { n: number };
    // which files a picture was made from is evidence too: each tie is in the custody log
    const logged = db.prepare(`SELECT (SELECT count(*) FROM custody WHERE tbl = 'requisites') AS logged, (SELECT count(*) FROM requisites) AS rows`).get() as { logged: number; rows: number };
    expect(logged.logged).toBe(logged.rows);
    db.close();
    // pictured when new, and again when confirmed deleted: both from the same record
    expect(pictures.length).toBe(2);
    expect(pictures.every((p) => p.png_sha256)).toBe(true);
    expect(held.n).toBe(REQUISITES.length);
    for (const p of pictures) {
      expect(p.problem).toContain(`the recorded page and ${REQUISITES.length} requisite(s) recorded with it`);
      for (const ref of ['evil.css', 'track.js', 'pixel.gif']) expect(p.problem).toContain(ref);
    }
    // the bundle carries what the pictures were made from, and its report says what was missing
    const warc = spawnSync('bash', ['-c', `zcat ${join(bundle, 'evidence.warc.gz')} | grep -a '^WARC-Target-URI'`], { encoding: 'utf8' }).stdout;
    for (const r of REQUISITES) expect(warc).toContain(`${county.base}${r}`);
    expect(warc).not.toContain(c);
    expect(readFileSync(join(bundle, 'report.html'), 'utf8')).toContain('requisite(s) recorded with it');
    const history = await runCli(['history', url, '--json', '--data-dir', data]);
    expect(history.json.filter((e) => e.type === 'requisite').map((e) => new URL(String(e.url)).pathname).sort()).toEqual([...REQUISITES].sort());
  }, 400_000);
});
