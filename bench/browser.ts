import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, mb, median, runChild, startFixtureProcess } from './harness.js';

const POSTINGS = 200;
const CONCURRENCY = 4;
const ROUNDS = 2;

/**
 * bench/browser: a site of 200 postings behind a Ruishu-style JavaScript challenge, crawled with
 * `fetch: auto`, against the same site without the challenge, in the same run: pages/s, peak RSS,
 * and how many fetches went through the browser versus plain HTTP once the challenge was passed.
 * The aim is that the browser only fetches what needs it: the challenge, once.
 */
export async function benchBrowser(): Promise<Record<string, number>> {
  const server = await startFixtureProcess(['--challenges', '--challenged-postings', String(POSTINGS), '--static']);
  const work = mkdtempSync(join(tmpdir(), 'xjwatch-bench-'));
  try {
    const worker = join(DIST, 'bench/crawl-worker.js');
    const siteFile = (key: 'ruishu' | 'prefecture') => {
      const listUrl = server.urls[key]!;
      const f = join(work, `${key}.yaml`);
      writeFileSync(f, `id: ${key}\nname: bench ${key}\nhome: ${new URL('/', listUrl).href}\nrate: { perHost: ${CONCURRENCY}, delayMs: 0 }\nscreenshots: false\nlists:\n  - url: ${listUrl}\n`);
      return f;
    };
    const challenged: Record<string, number>[] = [];
    const plain: Record<string, number>[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const [key, into] of [['ruishu', challenged], ['prefecture', plain]] as const) {
        const dataDir = join(work, `${key}-${r}`);
        const res = (await runChild(worker, ['xjwatch', siteFile(key), dataDir, 'none'])) as Record<string, number>;
        delete (res as Record<string, unknown>).urls;
        into.push(res);
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
    const pps = (rs: Record<string, number>[]) => median(rs.map((x) => x.pages! / x.seconds!));
    const c = challenged[0]!;
    const figures = {
      postings: POSTINGS,
      concurrency: CONCURRENCY,
      challenged_pages_per_s: Math.round(pps(challenged)),
      unchallenged_pages_per_s: Math.round(pps(plain)),
      ratio: Math.round((pps(challenged) / pps(plain)) * 100) / 100,
      peak_rss_mb: mb(Math.max(...challenged.map((x) => x.maxRssBytes!))),
      unchallenged_peak_rss_mb: mb(Math.max(...plain.map((x) => x.maxRssBytes!))),
      fetches: c.pages!,
      via_browser: c.viaBrowser!,
      via_http: c.pages! - c.viaBrowser!,
    };
    console.log(`browser: ${POSTINGS} postings behind a Ruishu-style challenge, fetch: auto, concurrency ${CONCURRENCY}, median of ${ROUNDS}`);
    console.log(`  challenged   ${figures.challenged_pages_per_s} pages/s, peak RSS ${figures.peak_rss_mb} MB`);
    console.log(`  unchallenged ${figures.unchallenged_pages_per_s} pages/s, peak RSS ${figures.unchallenged_peak_rss_mb} MB   ratio ${figures.ratio}`);
    console.log(`  ${figures.fetches} fetches: ${figures.via_browser} by the browser (passing the challenge, with what it loads), ${figures.via_http} over plain HTTP with its cookies`);
    return figures;
  } finally {
    server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
