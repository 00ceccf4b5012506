import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, mb, median, runChild, startFixtureProcess } from './harness.js';

const POSTINGS = 400;
const CONCURRENCY = 4;
const ROUNDS = 3;

/**
 * bench/team: what the team catalogue costs. The same full pass over a 400-posting county site
 * (bench/crawl's worker, in a fresh process each time), alternately with the catalogue in the data
 * directory's SQLite file and in a fresh PostgreSQL database on 127.0.0.1 (the test server of
 * scripts/services.sh, or XJWATCH_TEST_PG), in the same run: pages/s of each, their ratio and the
 * milliseconds team mode adds per page; on bare loopback and with the server answering 50 ms late,
 * as bench/crawl does. Blobs and WARC files stay in the data directory in both.
 */
export async function benchTeam(): Promise<Record<string, number>> {
  const server = process.env.XJWATCH_TEST_PG ?? /^XJWATCH_TEST_PG=(\S+)$/m.exec(execFileSync('bash', ['scripts/services.sh', 'start'], { cwd: join(DIST, '..'), encoding: 'utf8' }))?.[1];
  if (!server) throw new Error('no PostgreSQL: scripts/services.sh start printed no URL');
  const loop = await scenario(server, 0, ROUNDS);
  const near = await scenario(server, 50, 2);
  const figures = {
    postings: POSTINGS,
    concurrency: CONCURRENCY,
    pages: loop.pages,
    team_pages: loop.teamPages,
    local_pages_per_s: loop.local,
    team_pages_per_s: loop.team,
    ratio: loop.ratio,
    team_cost_ms_per_page: loop.cost,
    local_peak_rss_mb: loop.localRss,
    team_peak_rss_mb: loop.teamRss,
    latency50_local_pages_per_s: near.local,
    latency50_team_pages_per_s: near.team,
    latency50_ratio: near.ratio,
  };
  console.log(`team: one pass of ${loop.pages} fetches (${POSTINGS} postings, list pages, attachments), concurrency ${CONCURRENCY}, local and team alternating`);
  console.log(`  loopback, server answers at once (median of ${ROUNDS}):`);
  console.log(`    local (SQLite)       ${loop.local} pages/s   peak RSS ${loop.localRss} MB`);
  console.log(`    team (PostgreSQL)    ${loop.team} pages/s   peak RSS ${loop.teamRss} MB   (${loop.teamPages} fetches)`);
  console.log(`    ratio ${loop.ratio}; team mode adds ${loop.cost} ms per page`);
  console.log(`  server answers 50 ms late (median of 2): local ${near.local} pages/s, team ${near.team} pages/s, ratio ${near.ratio}`);
  return figures;
}

async function scenario(server: string, latencyMs: number, rounds: number) {
  const fixtures = await startFixtureProcess(['--county-postings', String(POSTINGS), '--no-hostile', '--latency-ms', String(latencyMs)]);
  const work = mkdtempSync(join(tmpdir(), 'xjwatch-bench-team-'));
  const runs: Record<'local' | 'team', Record<string, number>[]> = { local: [], team: [] };
  try {
    const listUrl = fixtures.urls.county!;
    const site = join(work, 'county.yaml');
    writeFileSync(site, `id: county\nname: bench county\nhome: ${new URL('/', listUrl).href}\nrate: { perHost: ${CONCURRENCY}, delayMs: 0 }\nscreenshots: false\nlists:\n  - url: ${listUrl}\n    maxPages: 1000\n`);
    const worker = join(DIST, 'bench/crawl-worker.js');
    for (let round = 0; round < rounds; round++) {
      for (const mode of round % 2 ? (['team', 'local'] as const) : (['local', 'team'] as const)) {
        const dataDir = join(work, `${mode}-${round}`);
        const url = mode === 'team' ? freshDatabase(server, `xjbench_team_${round}`) : undefined;
        if (url) process.env.XJWATCH_DATABASE_URL = url;
        else delete process.env.XJWATCH_DATABASE_URL;
        const r = await runChild(worker, ['xjwatch', site, dataDir]);
        delete r.urls;
        runs[mode].push(r as Record<string, number>);
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    delete process.env.XJWATCH_DATABASE_URL;
    fixtures.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const pps = (rs: Record<string, number>[]) => Math.round(median(rs.map((r) => r.pages! / r.seconds!)));
  const local = pps(runs.local);
  const team = pps(runs.team);
  return {
    pages: runs.local[0]!.pages!,
    teamPages: runs.team[0]!.pages!,
    local,
    team,
    ratio: Math.round((team / local) * 100) / 100,
    cost: Math.round((1000 / team - 1000 / local) * 100) / 100,
    localRss: mb(median(runs.local.map((r) => r.maxRssBytes!))),
    teamRss: mb(median(runs.team.map((r) => r.maxRssBytes!))),
  };
}

function freshDatabase(server: string, name: string): string {
  execFileSync('psql', [server, '-XAtqc', `DROP DATABASE IF EXISTS ${name}`], { stdio: 'ignore' });
  execFileSync('psql', [server, '-XAtqc', `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`], { stdio: ['ignore', 'ignore', 'inherit'] });
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}
