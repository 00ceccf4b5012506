import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DIST, median, runChild, startFixtureProcess } from './harness.js';

const POSTINGS = 1000;
const CONCURRENCY = 4;
const ROUNDS = 3;

/**
 * bench/recheck: the cost of rechecking an unchanged 1,000-posting site (every posting, every list
 * page, with controls) against the first crawl of it, in the same run — time and bytes over the
 * wire — once with a server that ignores conditional requests and once with one that answers 304.
 */
export async function benchRecheck(): Promise<Record<string, number>> {
  const without = await scenario(false);
  const with304 = await scenario(true);
  const figures = {
    postings: POSTINGS,
    concurrency: CONCURRENCY,
    first_crawl_s: without.firstS,
    first_crawl_mb: without.firstMb,
    recheck_time_ratio: without.timeRatio,
    recheck_bytes_ratio: without.bytesRatio,
    recheck_304_time_ratio: with304.timeRatio,
    recheck_304_bytes_ratio: with304.bytesRatio,
    baseline_time_ratio: without.baselineRatio,
    baseline_304_time_ratio: with304.baselineRatio,
    recorded_baseline_time_ratio: without.recordedRatio,
    recorded_baseline_304_time_ratio: with304.recordedRatio,
  };
  console.log(`recheck: an unchanged site of ${POSTINGS} postings (gzip on, as nginx does), concurrency ${CONCURRENCY}, median of ${ROUNDS}`);
  console.log(`  first crawl ${without.firstS} s, ${without.firstMb} MB over the wire (postings, list pages, attachments)`);
  console.log(`  recheck, server without 304: time ${without.timeRatio}, bytes ${without.bytesRatio} of the first crawl (aim ≤ 0.2)`);
  console.log(`  recheck, server with 304:    time ${with304.timeRatio}, bytes ${with304.bytesRatio} of the first crawl (aim ≤ 0.05)`);
  console.log(`  baseline (a bare undici loop over the recheck's URLs, with their ETags): time ${without.baselineRatio} / ${with304.baselineRatio} of the first crawl (without / with 304)`);
  console.log(`  the same loop recording each answer as xjwatch does (blob, WARC records, fetch row; nothing read or checked): ${without.recordedRatio} / ${with304.recordedRatio}`);
  return figures;
}

async function scenario(conditional: boolean) {
  const server = await startFixtureProcess(['--county-postings', String(POSTINGS), '--no-hostile', '--static', ...(conditional ? ['--conditional'] : [])]);
  const work = mkdtempSync(join(tmpdir(), 'xjwatch-bench-'));
  try {
    const listUrl = server.urls.county!;
    const siteFile = join(work, 'county.yaml');
    writeFileSync(siteFile, `id: county\nname: bench county\nhome: ${new URL('/', listUrl).href}\nrate: { perHost: ${CONCURRENCY}, delayMs: 0 }\nscreenshots: false\nlists:\n  - url: ${listUrl}\n    maxPages: 1000\n`);
    const worker = join(DIST, 'bench/crawl-worker.js');
    const rounds: { first: Record<string, number>; again: Record<string, number>; baseline: Record<string, number>; recorded: Record<string, number> }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const dataDir = join(work, `data-${r}`);
      const first = (await runChild(worker, ['xjwatch', siteFile, dataDir, 'none'])) as Record<string, number>;
      const again = (await runChild(worker, ['xjwatch', siteFile, dataDir, 'all'])) as Record<string, number>;
      // the floor: the same requests the recheck made, conditional where it could be, recorded by nobody
      const urlsFile = join(work, `urls-${r}.json`);
      writeFileSync(urlsFile, JSON.stringify(recheckRequests(dataDir)));
      const baseline = (await runChild(worker, ['baseline', urlsFile, String(CONCURRENCY)])) as Record<string, number>;
      // the floor of a recheck that keeps what it fetched: the same loop, each answer recorded
      const recorded = (await runChild(worker, ['baseline', urlsFile, String(CONCURRENCY), join(work, `floor-${r}`)])) as Record<string, number>;
      rmSync(join(work, `floor-${r}`), { recursive: true, force: true });
      rounds.push({ first, again, baseline, recorded });
      rmSync(dataDir, { recursive: true, force: true });
    }
    const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
    return {
      firstS: round(median(rounds.map((r) => r.first.seconds!)), 1),
      firstMb: round(median(rounds.map((r) => r.first.wireBytes!)) / 1024 / 1024, 2),
      timeRatio: round(median(rounds.map((r) => r.again.seconds! / r.first.seconds!))),
      bytesRatio: round(median(rounds.map((r) => r.again.wireBytes! / r.first.wireBytes!))),
      baselineRatio: round(median(rounds.map((r) => r.baseline.seconds! / r.first.seconds!))),
      recordedRatio: round(median(rounds.map((r) => r.recorded.seconds! / r.first.seconds!))),
    };
  } finally {
    server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The last run's requests, each with the ETag of its page's capture before that run. */
function recheckRequests(dataDir: string): { url: string; etag?: string }[] {
  const db = new Database(join(dataDir, 'xjwatch.db'), { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT f.url, (SELECT c.etag FROM captures c JOIN pages p ON p.id = c.page_id WHERE p.url = f.url AND c.run_id < f.run_id ORDER BY c.id DESC LIMIT 1) AS etag
         FROM fetches f WHERE f.run_id = (SELECT max(id) FROM runs) ORDER BY f.id`,
      )
      .all() as { url: string; etag: string | null }[];
    return rows.map((r) => (r.etag ? { url: r.url, etag: r.etag } : { url: r.url }));
  } finally {
    db.close();
  }
}
