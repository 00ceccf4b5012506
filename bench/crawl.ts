import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, mb, median, runChild, startFixtureProcess } from './harness.js';

const POSTINGS = 1000;
const CONCURRENCY = 4;

interface Scenario {
  latencyMs: number;
  rounds: number;
}

/**
 * bench/crawl: xjwatch's HTTP path (Crawlee queue, fetch, decode, parse, terms, attachments'
 * text, WARC, blobs, SQLite) over a 1,000-posting county site, against a plain undici fetch loop
 * over exactly the URLs xjwatch fetched, at the same concurrency, against the same server, in
 * the same run. Twice: on bare loopback (the server answers at once) and with the server
 * answering 50 ms late, as a near server on a real network does (Chinese government servers
 * answer 200 ms or more from abroad).
 */
export async function benchCrawl(): Promise<Record<string, number>> {
  const loop = await scenario({ latencyMs: 0, rounds: 3 });
  const near = await scenario({ latencyMs: 50, rounds: 2 });
  const figures = {
    postings: POSTINGS,
    concurrency: CONCURRENCY,
    pages: loop.pages,
    xjwatch_pages_per_s: loop.xj,
    baseline_pages_per_s: loop.base,
    ratio: loop.ratio,
    xjwatch_peak_rss_mb: loop.xjRss,
    baseline_peak_rss_mb: loop.baseRss,
    xjwatch_startup_ms: loop.startup,
    latency50_xjwatch_pages_per_s: near.xj,
    latency50_baseline_pages_per_s: near.base,
    latency50_ratio: near.ratio,
  };
  console.log(`crawl: ${loop.pages} fetches per run (${POSTINGS} postings, list pages, attachments), concurrency ${CONCURRENCY}`);
  console.log(`  loopback, server answers at once (median of 3):`);
  console.log(`    xjwatch   ${loop.xj} pages/s   peak RSS ${loop.xjRss} MB   (start-up ${loop.startup} ms, not counted)`);
  console.log(`    baseline  ${loop.base} pages/s   peak RSS ${loop.baseRss} MB   (undici loop, same URLs)`);
  console.log(`    ratio     ${loop.ratio}   (aim ≥ 0.8)`);
  console.log(`  server answers 50 ms late (median of 2):`);
  console.log(`    xjwatch ${near.xj} pages/s, baseline ${near.base} pages/s, ratio ${near.ratio}`);
  return figures;
}

async function scenario(s: Scenario) {
  const server = await startFixtureProcess(['--county-postings', String(POSTINGS), '--no-hostile', '--latency-ms', String(s.latencyMs)]);
  const work = mkdtempSync(join(tmpdir(), 'xjwatch-bench-'));
  try {
    const listUrl = server.urls.county!;
    const home = new URL('/', listUrl).href;
    const siteFile = join(work, 'county.yaml');
    // the HTTP path only: pictures are the browser bench's concern (469 screenshots would dominate)
    writeFileSync(siteFile, `id: county\nname: bench county\nhome: ${home}\nrate: { perHost: ${CONCURRENCY}, delayMs: 0 }\nscreenshots: false\nlists:\n  - url: ${listUrl}\n    maxPages: 1000\n`);
    const worker = join(DIST, 'bench/crawl-worker.js');
    const xj: Record<string, number>[] = [];
    const base: Record<string, number>[] = [];
    let urlsFile = '';
    for (let round = 0; round < s.rounds; round++) {
      const dataDir = join(work, `data-${round}`);
      const r = await runChild(worker, ['xjwatch', siteFile, dataDir]);
      const urls = r.urls as { url: string; purpose: string }[];
      if (!urlsFile) {
        urlsFile = join(work, 'urls.json');
        // attachments need the posting as Referer (VSB), as xjwatch sends it
        const owner = (u: string) => new URL(u).searchParams.get('owner');
        writeFileSync(urlsFile, JSON.stringify(urls.map((u) => (u.purpose === 'attachment' ? { url: u.url, referer: new URL(`/info/1103/${owner(u.url)}.htm`, home).href } : { url: u.url }))));
      }
      delete r.urls;
      xj.push(r as Record<string, number>);
      base.push((await runChild(worker, ['baseline', urlsFile, String(CONCURRENCY)])) as Record<string, number>);
      rmSync(dataDir, { recursive: true, force: true });
    }
    const xjPps = median(xj.map((r) => r.pages! / r.seconds!));
    const basePps = median(base.map((r) => r.pages! / r.seconds!));
    return {
      pages: xj[0]!.pages!,
      xj: Math.round(xjPps),
      base: Math.round(basePps),
      ratio: Math.round((xjPps / basePps) * 100) / 100,
      xjRss: mb(Math.max(...xj.map((r) => r.maxRssBytes!))),
      baseRss: mb(Math.max(...base.map((r) => r.maxRssBytes!))),
      startup: median(xj.map((r) => r.startupMs!)),
    };
  } finally {
    server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
