import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, mb, median, procCpuMs, runChild, startFixtureProcess } from './harness.js';

const POSTINGS = 400;
const CONCURRENCY = 4;
const ROUNDS = 3;

// the workers scenario: hosts of the farm, postings each, politeness delay per host, sites per watcher at once
const HOSTS = 16;
const HOST_POSTINGS = 40;
const HOST_DELAY_MS = 100;
const SITES_AT_ONCE = 2;

/**
 * bench/team: what team storage costs, and what several watchers give.
 *
 * 1. The same full pass over a 400-posting county site (bench/crawl's worker, in a fresh process
 *    each time), alternately local (SQLite and the folder) and team (a fresh PostgreSQL database on
 *    127.0.0.1 and a fresh prefix of the S3-compatible test server, scripts/services.sh), in the
 *    same run: pages/s of each, their ratio and the milliseconds team mode adds per page; on bare
 *    loopback and with the server answering 50 ms late, as bench/crawl does.
 * 2. 1, 2 and 4 `xjwatch watch` processes (data directories of their own, one database, one object
 *    store) sharing the same 12 imitation hosts through the job queue: pages/s from the first
 *    request to the last, the speed-up over one watcher, duplicate fetches (a URL answered twice
 *    for the one due run: aim 0) and the most requests one host had in flight at once (politeness: 1).
 */
export async function benchTeam(): Promise<Record<string, number>> {
  const started = execFileSync('bash', ['scripts/services.sh', 'start'], { cwd: join(DIST, '..'), encoding: 'utf8' });
  const server = process.env.XJWATCH_TEST_PG ?? /^XJWATCH_TEST_PG=(\S+)$/m.exec(started)?.[1];
  const s3 = process.env.XJWATCH_TEST_S3 ?? /^XJWATCH_TEST_S3=(\S+)$/m.exec(started)?.[1];
  if (!server || !s3) throw new Error('no PostgreSQL or S3 server: scripts/services.sh start printed no URLs');
  // XJ_BENCH_ROUNDS: fewer rounds of the first part, for a quick look
  const rounds = Number(process.env.XJ_BENCH_ROUNDS) || ROUNDS;
  const loop = await scenario(server, s3, 0, rounds);
  const near = await scenario(server, s3, 50, Math.min(rounds, 2));
  const workers: Record<number, Shared> = {};
  for (const w of [1, 2, 4]) workers[w] = await shared(server, s3, w);
  const speed = (w: number) => Math.round((workers[w]!.pagesPerS / workers[1]!.pagesPerS) * 100) / 100;
  const figures = {
    postings: POSTINGS,
    concurrency: CONCURRENCY,
    pages: loop.pages,
    team_pages: loop.teamPages,
    local_pages_per_s: loop.local,
    team_pages_per_s: loop.team,
    ratio: loop.ratio,
    team_cost_ms_per_page: loop.cost,
    catalogue_only_pages_per_s: loop.pg,
    catalogue_only_cost_ms_per_page: loop.pgCost,
    local_peak_rss_mb: loop.localRss,
    team_peak_rss_mb: loop.teamRss,
    latency50_local_pages_per_s: near.local,
    latency50_team_pages_per_s: near.team,
    latency50_ratio: near.ratio,
    hosts: HOSTS,
    workers1_pages_per_s: workers[1]!.pagesPerS,
    workers2_pages_per_s: workers[2]!.pagesPerS,
    workers4_pages_per_s: workers[4]!.pagesPerS,
    speedup_2: speed(2),
    speedup_4: speed(4),
    duplicate_fetches: workers[1]!.duplicates + workers[2]!.duplicates + workers[4]!.duplicates,
    max_in_flight_per_host: Math.max(workers[1]!.inFlight, workers[2]!.inFlight, workers[4]!.inFlight),
    workers4_cores_busy: workers[4]!.cores,
  };
  console.log(`team: one pass of ${loop.pages} fetches (${POSTINGS} postings, list pages, attachments), concurrency ${CONCURRENCY}, local and team alternating`);
  console.log(`  loopback, server answers at once (median of ${rounds}):`);
  console.log(`    local (SQLite)       ${loop.local} pages/s   peak RSS ${loop.localRss} MB`);
  console.log(`    team (PG + S3)       ${loop.team} pages/s   peak RSS ${loop.teamRss} MB   (${loop.teamPages} fetches)`);
  console.log(`    PostgreSQL only      ${loop.pg} pages/s   (files in the folder: the catalogue's part, ${loop.pgCost} ms per page)`);
  console.log(`    ratio ${loop.ratio}; team mode adds ${loop.cost} ms per page`);
  console.log(`  server answers 50 ms late (median of ${Math.min(rounds, 2)}): local ${near.local} pages/s, team ${near.team} pages/s, ratio ${near.ratio}`);
  console.log(`watchers sharing ${HOSTS} hosts (${HOST_POSTINGS} postings each, ${HOST_DELAY_MS} ms between a host's requests, ${SITES_AT_ONCE} sites at once per watcher) through the job queue:`);
  for (const w of [1, 2, 4]) {
    const r = workers[w]!;
    console.log(`  ${w} watcher(s): ${r.pages} pages in ${r.seconds} s = ${r.pagesPerS} pages/s (x${speed(w)}), ${r.duplicates} duplicate fetches, at most ${r.inFlight} request(s) in flight per host, runs taken ${r.runsPerWatcher.join('/')}, the watchers busy ${r.cores} of 2 cores`);
  }
  return figures;
}

async function scenario(server: string, s3: string, latencyMs: number, rounds: number) {
  const fixtures = await startFixtureProcess(['--county-postings', String(POSTINGS), '--no-hostile', '--latency-ms', String(latencyMs)]);
  const work = mkdtempSync(join(tmpdir(), 'xjwatch-bench-team-'));
  // pg: the catalogue in PostgreSQL, files in the folder (what the object store adds, apart)
  const runs: Record<'local' | 'pg' | 'team', Record<string, number>[]> = { local: [], pg: [], team: [] };
  try {
    const listUrl = fixtures.urls.county!;
    const site = join(work, 'county.yaml');
    writeFileSync(site, `id: county\nname: bench county\nhome: ${new URL('/', listUrl).href}\nrate: { perHost: ${CONCURRENCY}, delayMs: 0 }\nscreenshots: false\nlists:\n  - url: ${listUrl}\n    maxPages: 1000\n`);
    const worker = join(DIST, 'bench/crawl-worker.js');
    for (let round = 0; round < rounds; round++) {
      for (const mode of round % 2 ? (['team', 'pg', 'local'] as const) : (['local', 'pg', 'team'] as const)) {
        const dataDir = join(work, `${mode}-${round}`);
        const url = mode !== 'local' ? freshDatabase(server, `xjbench_team_${round}`) : undefined;
        for (const k of Object.keys(teamEnv(s3, ''))) delete process.env[k];
        delete process.env.XJWATCH_DATABASE_URL;
        if (url) process.env.XJWATCH_DATABASE_URL = url;
        if (mode === 'team') Object.assign(process.env, teamEnv(s3, `bench-${randomBytes(4).toString('hex')}`));
        const r = await runChild(worker, ['xjwatch', site, dataDir]);
        delete r.urls;
        runs[mode].push(r as Record<string, number>);
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    delete process.env.XJWATCH_DATABASE_URL;
    for (const k of Object.keys(teamEnv(s3, ''))) delete process.env[k];
    fixtures.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const pps = (rs: Record<string, number>[]) => Math.round(median(rs.map((r) => r.pages! / r.seconds!)));
  const local = pps(runs.local);
  const team = pps(runs.team);
  const pg = pps(runs.pg);
  return {
    pg,
    pgCost: Math.round((1000 / pg - 1000 / local) * 100) / 100,
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

/** The object store's variables for a prefix of the test server (s3rver's own keys). */
function teamEnv(s3: string, prefix: string): Record<string, string> {
  return { XJWATCH_BLOBS: `s3://xjwatch-test/${prefix}`, AWS_ENDPOINT_URL_S3: s3, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
}

interface Shared {
  pages: number;
  seconds: number;
  pagesPerS: number;
  duplicates: number;
  inFlight: number;
  runsPerWatcher: number[];
  /** the watchers' CPU time over their wall time: cores kept busy */
  cores: number;
}

/** `n` watchers over a fresh farm, a fresh database and prefix, until every host's run is done. */
async function shared(server: string, s3: string, n: number): Promise<Shared> {
  const work = mkdtempSync(join(tmpdir(), 'xjwatch-bench-workers-'));
  const trace = join(work, 'trace.txt');
  const farm = spawn(process.execPath, [join(DIST, 'bench/host-farm.js'), '--hosts', String(HOSTS), '--postings', String(HOST_POSTINGS)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, XJ_FARM_TRACE: trace } });
  const watchers: ChildProcess[] = [];
  let failed: string | undefined;
  let stopping = false;
  try {
    const { bases } = await new Promise<{ bases: string[] }>((resolve, reject) => {
      farm.once('message', (m) => resolve(m as { bases: string[] }));
      farm.once('exit', (code) => reject(new Error(`host farm exited ${code}`)));
    });
    const sites = join(work, 'sites');
    mkdirSync(sites);
    const files = bases.map((base, i) => {
      const file = join(sites, `h${i + 1}.yaml`);
      // once a year: --now's run is the only one due in the window measured
      writeFileSync(file, [`id: h${i + 1}`, `name: 疏附县人民政府 ${i + 1}`, `home: ${base}/`, 'schedule: "0 0 0 1 1 *"', `rate: { perHost: 1, delayMs: ${HOST_DELAY_MS} }`, 'screenshots: false', 'encoding: auto', 'lists:', `  - url: ${base}/xxgk/tzgg/index.htm`, '    maxPages: 1000', 'article: { title: "form h1", body: "#vsb_content" }', ''].join('\n'));
      return file;
    });
    const settings = join(work, 'settings.yaml');
    writeFileSync(settings, `watch: { concurrency: ${SITES_AT_ONCE}, jitterSeconds: 0 }\n`);
    const url = freshDatabase(server, `xjbench_workers_${n}`);
    const env = { ...process.env, NO_COLOR: '1', XJWATCH_DATABASE_URL: url, ...teamEnv(s3, `bench-workers-${n}-${randomBytes(4).toString('hex')}`) };
    const spawnedAt = Date.now();
    for (let i = 0; i < n; i++) {
      const log = openSync(join(work, `watcher-${i}.log`), 'w');
      const w = spawn(process.execPath, [join(DIST, '..', 'bin', 'xjwatch.js'), 'watch', ...files, '--now', '--json', '--config', settings, '--data-dir', join(work, `machine-${i}`)], { env, stdio: ['ignore', 'ignore', log] });
      w.on('exit', (code) => code && !stopping && (failed ??= `watcher ${i} exited ${code}: ${readFileSync(join(work, `watcher-${i}.log`), 'utf8').slice(-1500)}`));
      watchers.push(w);
    }
    const done = () => Number(execFileSync('psql', [url, '-XAtqc', `SELECT count(*) FROM runs WHERE status = 'ok'`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 0);
    const deadline = Date.now() + 600_000;
    for (;;) {
      let finished = 0;
      try {
        finished = done();
      } catch {
        // the first watcher has not made the schema yet
      }
      if (finished >= HOSTS) break;
      if (failed) throw new Error(failed);
      if (Date.now() > deadline) throw new Error(`${n} watcher(s): only ${finished} of ${HOSTS} site runs finished in 10 minutes`);
      await new Promise((r) => setTimeout(r, 250));
    }
    // what the watchers used of the machine's two cores from their start (their start-up included)
    const cpuMs = watchers.reduce((sum, w) => sum + procCpuMs(w.pid!), 0);
    const wallMs = Date.now() - spawnedAt;
    stopping = true;
    await Promise.all(watchers.map((w) => new Promise((r) => (w.on('exit', r), w.kill('SIGTERM')))));
    watchers.length = 0;
    await new Promise((r) => (farm.on('exit', r), farm.kill('SIGINT')));
    const lines = readFileSync(trace, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' '));
    const answers = lines.map(([end, host, start, path]) => ({ end: Number(end), host: Number(host), start: Number(start), path: path! }));
    const seen = new Map<string, number>();
    for (const a of answers) seen.set(`${a.host} ${a.path}`, (seen.get(`${a.host} ${a.path}`) ?? 0) + 1);
    const duplicates = [...seen.values()].reduce((s, c) => s + c - 1, 0);
    let inFlight = 0;
    for (let h = 0; h < HOSTS; h++) {
      const edges = answers.filter((a) => a.host === h).flatMap((a) => [[a.start, 1], [a.end, -1]] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      let now = 0;
      for (const [, d] of edges) inFlight = Math.max(inFlight, (now += d));
    }
    const first = Math.min(...answers.map((a) => a.start));
    const last = Math.max(...answers.map((a) => a.end));
    const seconds = Math.round((last - first) / 100) / 10;
    const byWatcher = execFileSync('psql', [url, '-XAtqc', `SELECT count(*) FROM runs r JOIN warc_files w ON w.run_id = r.id GROUP BY substring(w.file from '-([0-9]+)-[0-9]{5}[.]warc[.]gz$') ORDER BY 1 DESC`], { encoding: 'utf8' });
    return { pages: answers.length, seconds, pagesPerS: Math.round(answers.length / seconds), duplicates, inFlight, runsPerWatcher: byWatcher.split('\n').filter(Boolean).map(Number), cores: Math.round((cpuMs / wallMs) * 100) / 100 };
  } finally {
    for (const w of watchers) w.kill('SIGKILL');
    farm.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  }
}
