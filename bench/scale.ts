import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { summarizeProfiles } from './cpu-profile.js';
import { DIST, exited, mb, procCpu, procCpuMs, procMemory, sleep } from './harness.js';
import type { FarmCounts } from './host-farm.js';

const XJWATCH = join(DIST, '..', 'bin', 'xjwatch.js');
const DEFAULT_HOSTS = [50, 200, 500];
const DEFAULT_SECONDS = 60;
/**
 * postings per site in the steady state, 30 ± 10: a run is 24–44 requests (two controls, two or
 * three list pages, the rechecks), so each host runs back to back, and the hosts' runs end at
 * different times, as sites of different sizes do
 */
const STEADY_POSTINGS = 30;
const STEADY_SPREAD = 10;
/** the watcher is killed if it grows past this (the machine is shared) */
const RSS_CAP_MB = Number(process.env.XJ_BENCH_RSS_CAP_MB ?? 10000);

/**
 * bench/scale: N imitation county sites, each on its own loopback address and polite at one
 * request per second, watched by the real `xjwatch watch --now` (a child process) for a fixed
 * window, twice per N:
 *
 * - first crawl: never-seen sites, each with more postings than the window can fetch;
 * - steady state: sites already known (seeded by `crawl` without politeness delay, not measured),
 *   every known posting due at every run (revisit intervals under a second), sites on a
 *   one-second schedule, so that each host has rechecks and list pages back to back.
 *
 * Offered: N requests per second (every host at its polite rate). Achieved: requests the fixture
 * server answered in the window (from half a second after the first answer), counted per host.
 * Baseline, in the same run: a plain undici loop holding every host to the same politeness rule
 * over the URLs xjwatch fetched. Also CPU ms per request (user + system of the watcher's threads
 * and of the processes it started, over the window), peak RSS (VmHWM, or the RSS of it and its
 * attachment reader processes together when higher), and whether everything was kept: a fetch
 * row for each answer, its WARC record, its blob, no WARC file outside the catalogue, and
 * `xjwatch verify --data-dir` passing.
 *
 * `npm run bench -- scale [N,N,…] [seconds]` (default 50,200,500 and 60). XJ_SCALE_PHASES=first
 * or steady runs one phase; XJ_SCALE_WORKERS=N (or auto) sets the watcher's watch.workers; XJ_BENCH_KEEP=1 leaves the data directories and the watcher's output;
 * XJ_BENCH_PROFILE=DIR writes the watcher's CPU profiles (node --cpu-prof) there and summarises
 * them; XJ_EXPERIMENT=… takes parts of Crawlee away (bench/experiment-preload.ts) to measure them.
 */
export async function benchScale(): Promise<Record<string, number>> {
  const hosts = (process.argv[3] ?? process.env.XJ_SCALE_HOSTS ?? DEFAULT_HOSTS.join(',')).split(',').map(Number);
  const seconds = Number(process.argv[4] ?? process.env.XJ_SCALE_SECONDS ?? DEFAULT_SECONDS);
  const profileDir = process.env.XJ_BENCH_PROFILE;
  const phases = (process.env.XJ_SCALE_PHASES ?? 'first,steady').split(',');
  const figures: Record<string, number> = { window_s: seconds, cores: Number(spawnSync('nproc').stdout.toString().trim()) || 0 };
  console.log(`scale: imitation county sites, one per loopback address, each polite at 1 request/s; windows of ${seconds} s; watch.workers: ${WORKERS}`);
  if (WORKERS !== 'auto') figures.workers = Number(WORKERS);
  if (process.env.XJ_EXPERIMENT) console.log(`  EXPERIMENT (not xjwatch as it ships): parts of Crawlee taken away: ${process.env.XJ_EXPERIMENT} (bench/experiment-preload.ts)`);
  for (const n of hosts) {
    const work = mkdtempSync(join(tmpdir(), `xjwatch-scale-${n}-`));
    const put = (phase: string, r: object) => {
      for (const [k, v] of Object.entries(r)) if (typeof v === 'number') figures[`n${n}_${phase}_${k}`] = v;
    };
    try {
      if (phases.includes('first')) {
        const first = await firstCrawl(n, seconds, work, profileDir);
        // kept: -1 when the watcher made no request at all
        put('first', { ...first.xj, kept: first.xj.first_request_s < 0 ? -1 : first.kept ? 1 : 0, unrecorded: first.unrecorded, stray_warc_files: first.stray });
        put('baseline', first.base);
      }
      if (phases.includes('steady')) {
        const steady = await steadyState(n, seconds, work, profileDir);
        put('steady', { ...steady.xj, kept: steady.xj.first_request_s < 0 ? -1 : steady.kept ? 1 : 0, unrecorded: steady.unrecorded, stray_warc_files: steady.stray, seed_s: steady.seedS });
      }
    } finally {
      if (process.env.XJ_BENCH_KEEP) console.log(`  kept for inspection: ${work}`);
      else rmSync(work, { recursive: true, force: true });
    }
  }
  return figures;
}

interface WindowFigures {
  offered_per_s: number;
  pages_per_s: number;
  ratio: number;
  /** per host, requests answered per second in the window */
  host_min: number;
  host_p10: number;
  host_median: number;
  cpu_ms_per_page: number;
  main_thread_cores: number;
  children_cores: number;
  peak_rss_mb: number;
  /** from the first request at any host to the first at the last host */
  ramp_s: number;
  /** from the start of the process to the first request (-1: none came) */
  first_request_s: number;
  /** the watcher died before its first request, this long after its start */
  died_after_s?: number;
  /** CPU used meanwhile by the fixture server and by everything else on the machine, in cores */
  server_cores: number;
  other_cores: number;
  rss_cap_hit?: number;
}

async function firstCrawl(n: number, seconds: number, work: string, profileDir: string | undefined) {
  // more postings than a window can fetch at one a second (each also brings list pages and attachments)
  const farm = await startFarm(n, Math.max(30, Math.ceil(seconds * 1.2)));
  try {
    const dataDir = join(work, 'first');
    writeSites(dataDir, farm.bases, 1000);
    writeSettings(dataDir, n);
    const { xj, kept } = await watchWindow(farm, dataDir, work, 'first', n, seconds, 0, profileDir);
    // the baseline: the same hosts at the same rule, over the URLs xjwatch fetched from each
    const urls = urlsPerHost(dataDir, farm.bases);
    const urlsFile = join(work, 'urls.json');
    writeFileSync(urlsFile, JSON.stringify(urls));
    const mark = await farm.mark();
    const loop = spawn(process.execPath, [join(DIST, 'bench/polite-loop.js'), urlsFile, String(seconds + 5)], { stdio: ['ignore', 'ignore', 'inherit'] });
    const base = await measure(loop, farm, mark, n, seconds);
    if (!(await exited(loop, 30_000))) loop.kill('SIGKILL');
    console.log(`  N=${n} baseline (undici loop, same rule): ${base.pages_per_s} pages/s of ${base.offered_per_s} offered = ${base.ratio}; CPU ${base.cpu_ms_per_page} ms/page, peak RSS ${base.peak_rss_mb} MB`);
    if (profileDir) summarizeProfiles(join(profileDir, `n${n}-first`));
    return { xj, base, kept: kept.ok, unrecorded: kept.answered - kept.answeredRows, stray: kept.stray };
  } finally {
    await farm.stop();
  }
}

/** One measured window of the watcher over the farm: the rate, the stop, and whether everything since `sinceRun` was kept. */
async function watchWindow(farm: Farm, dataDir: string, work: string, phase: 'first' | 'steady', n: number, seconds: number, sinceRun: number, profileDir: string | undefined) {
  const before = await farm.mark();
  const watch = spawnWatcher(dataDir, join(work, phase), profileDir && join(profileDir, `n${n}-${phase}`));
  const xj = await measure(watch, farm, before, n, seconds);
  const atStop = await farm.counts();
  const stop = await stopWatcher(watch, join(work, `${phase}.err`));
  const after = await farm.counts();
  stop.answersAfter = sum(after.answered) - sum(atStop.answered);
  const kept = keptCheck(dataDir, sinceRun, after.answered.map((a, i) => a - before.answered[i]!));
  line(`N=${n} ${phase === 'first' ? 'first crawl' : 'steady state'}`, xj, kept, stop);
  if (!kept.ok) evidenceOfLoss(dataDir, join(work, `${phase}.err`));
  return { xj, kept };
}

async function steadyState(n: number, seconds: number, work: string, profileDir: string | undefined) {
  const farm = await startFarm(n, STEADY_POSTINGS, STEADY_SPREAD);
  try {
    const dataDir = join(work, 'steady');
    writeSites(dataDir, farm.bases, 1000);
    writeSettings(dataDir, n);
    // the seed: every site crawled once without politeness delay (not measured)
    const seedDir = join(work, 'seed-sites');
    writeSites(seedDir, farm.bases, 0, '');
    const t = performance.now();
    // 50 sites a crawl: Crawlee's per-crawler overhead (bench/README.md) makes one crawl of 500 much slower
    const files = readdirSync(join(seedDir, 'sites')).map((f) => join(seedDir, 'sites', f));
    const exits = new Set<number | null>();
    for (let i = 0; i < files.length; i += 50) {
      const seed = spawnSync(process.execPath, [XJWATCH, 'crawl', ...files.slice(i, i + 50), '--data-dir', dataDir, '--recheck', 'none', '--json'], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
      exits.add(seed.status);
    }
    const seedS = Math.round((performance.now() - t) / 100) / 10;
    const db = new Database(join(dataDir, 'xjwatch.db'), { readonly: true });
    const seedRun = (db.prepare('SELECT max(id) AS id FROM runs').get() as { id: number }).id;
    const known = (db.prepare(`SELECT count(*) AS n FROM pages WHERE kind = 'posting'`).get() as { n: number }).n;
    db.close();
    console.log(`  N=${n} steady state: seeded ${known} postings in ${seedS} s (crawl exit ${[...exits].join(', ')}; not measured)`);
    const { xj, kept } = await watchWindow(farm, dataDir, work, 'steady', n, seconds, seedRun, profileDir);
    if (profileDir) summarizeProfiles(join(profileDir, `n${n}-steady`));
    return { xj, kept: kept.ok, unrecorded: kept.answered - kept.answeredRows, stray: kept.stray, seedS };
  } finally {
    await farm.stop();
  }
}

/**
 * What the data directory held when rows were missing, and the watcher's last words: a loss is
 * explained from this, not guessed at afterwards (the directory is removed unless XJ_BENCH_KEEP).
 */
function evidenceOfLoss(dataDir: string, errFile: string) {
  const files = spawnSync('find', [dataDir, '-maxdepth', '3', '-not', '-path', '*/blobs/*', '-printf', '%TT %s %p\\n']).stdout.toString().trim().split('\n');
  console.log(`    the data directory (${files.length} entries, blobs left out):\n      ${files.slice(0, 40).join('\n      ')}`);
  const err = readFileSync(errFile, 'utf8').trim().split('\n').filter((l) => !/: run (ok|interrupted)/.test(l));
  console.log(`    the watcher's stderr, other than run lines (${err.length} lines):\n      ${err.slice(-15).join('\n      ')}`);
}

function line(what: string, w: WindowFigures, kept: KeptFigures, stop: StopFigures) {
  if (w.first_request_s < 0) console.log(`  ${what}: NO REQUEST reached the fixture server: ${w.died_after_s !== undefined ? `the watcher died ${w.died_after_s} s after its start` : `none within ${Math.max(120, w.offered_per_s * 0.6)} s of its start`}; peak RSS ${w.peak_rss_mb} MB${w.rss_cap_hit ? ` (KILLED at the ${RSS_CAP_MB} MB cap)` : ''}`);
  else console.log(`  ${what}: ${w.pages_per_s} pages/s of ${w.offered_per_s} offered = ${w.ratio} (aim ≥ 0.95); per host min ${w.host_min}, p10 ${w.host_p10}, median ${w.host_median}/s; first request ${w.first_request_s} s after the start, ramp ${w.ramp_s} s`);
  console.log(`    CPU ${w.cpu_ms_per_page} ms/page (main thread ${w.main_thread_cores} cores, processes it started ${w.children_cores} cores), peak RSS ${w.peak_rss_mb} MB${w.rss_cap_hit ? ` (KILLED at the ${RSS_CAP_MB} MB cap)` : ''}; fixture server ${w.server_cores} cores, other processes ${w.other_cores} cores`);
  console.log(`    stopped in ${stop.stopS} s (exit ${stop.exitCode}; ${stop.answersAfter} answers after the SIGTERM); kept: ${kept.answered} answers, ${kept.answeredRows} fetch rows with an answer (${kept.answered - kept.answeredRows} answers without one), ${kept.rows} fetch rows in all, ${kept.warcOk}/${kept.rows} WARC records, ${kept.blobsOk}/${kept.blobs} blobs, ${kept.stray} stray WARC files, runs ${kept.runs}; verify exit ${kept.verifyExit} (${kept.verifyS} s) → ${kept.ok ? 'everything kept' : 'NOT everything kept'}`);
}

// --- the fixture farm ---------------------------------------------------------------------------

interface Farm {
  bases: string[];
  child: ChildProcess;
  counts(): Promise<FarmCounts>;
  /** counts from now on: first requests and the per-second series start again */
  mark(): Promise<FarmCounts>;
  stop(): Promise<void>;
}

async function startFarm(hosts: number, postings: number, spread = 0): Promise<Farm> {
  const child = spawn(process.execPath, [join(DIST, 'bench/host-farm.js'), '--hosts', String(hosts), '--postings', String(postings), '--spread', String(spread)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<{ bases: string[] }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { bases: string[] }));
    child.once('exit', (code) => reject(new Error(`host farm exited ${code}`)));
  });
  const ask = (what: string) =>
    new Promise<FarmCounts>((resolve) => {
      child.once('message', (m) => resolve(m as FarmCounts));
      child.send(what);
    });
  return {
    bases: ready.bases,
    child,
    counts: () => ask('counts'),
    mark: () => ask('mark'),
    stop: async () => {
      child.kill('SIGINT');
      await exited(child, 5000);
    },
  };
}

// --- the watcher --------------------------------------------------------------------------------

function writeSites(dir: string, bases: string[], delayMs: number, schedule = '*/1 * * * * *') {
  const sites = join(dir, 'sites');
  mkdirSync(sites, { recursive: true });
  bases.forEach((base, i) => {
    const id = `h${String(i + 1).padStart(4, '0')}`;
    writeFileSync(
      join(sites, `${id}.yaml`),
      [
        `id: ${id}`,
        `name: 疏附县人民政府 ${i + 1}`,
        `home: ${base}/`,
        ...(schedule ? [`schedule: "${schedule}"`] : []),
        `rate: { perHost: 1, delayMs: ${delayMs} }`,
        'screenshots: false',
        'encoding: auto',
        'retries: { count: 2, backoffMs: 1000 }',
        'lists:',
        `  - url: ${base}/xxgk/tzgg/index.htm`,
        '    maxPages: 1000',
        'article: { title: "form h1", body: "#vsb_content" }',
        '',
      ].join('\n'),
    );
  });
}

/** watch.workers for the watcher (XJ_SCALE_WORKERS: a number or `auto`; default 1, one thread) */
const WORKERS = (() => {
  const v = process.env.XJ_SCALE_WORKERS ?? '1';
  if (v !== 'auto' && !/^[1-9]\d*$/.test(v)) throw new Error(`XJ_SCALE_WORKERS must be a number of worker threads or auto, not ${JSON.stringify(v)}`);
  return v;
})();

/** All sites at once, no jitter, the outbox left alone; every known posting due again a second after its recheck. */
function writeSettings(dir: string, n: number) {
  writeFileSync(
    join(dir, 'settings.yaml'),
    `watch: { concurrency: ${n}, jitterSeconds: 0, outboxSeconds: 3600, workers: ${WORKERS} }\nrevisit: { hitsHours: 0.0001, youngHours: 0.0001, ladderDays: [0.00001], suspectedMinutes: 0.01 }\n`,
  );
}

function spawnWatcher(dataDir: string, logBase: string, profile: string | undefined | ''): ChildProcess {
  const out = openSync(`${logBase}.out`, 'w');
  const err = openSync(`${logBase}.err`, 'w');
  // (Node 20 refuses --cpu-prof in NODE_OPTIONS)
  if (profile) mkdirSync(profile, { recursive: true });
  const prof = [
    ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
    // XJ_EXPERIMENT: a part of Crawlee taken away, to measure its cost (bench/experiment-preload.ts)
    ...(process.env.XJ_EXPERIMENT ? [`--import=${join(DIST, 'bench/experiment-preload.js')}`] : []),
    ...(process.env.XJ_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
  ];
  const child = spawn(process.execPath, [...prof, XJWATCH, 'watch', '--now', '--data-dir', dataDir], { stdio: ['ignore', out, err] });
  closeSync(out);
  closeSync(err);
  return child;
}

interface StopFigures {
  exitCode: number | null;
  signal: string | null;
  stopS: number;
  /** answers the server gave after the SIGTERM */
  answersAfter?: number;
}

async function stopWatcher(child: ChildProcess, errFile: string): Promise<StopFigures> {
  const t = performance.now();
  const early = child.exitCode !== null || child.signalCode !== null;
  if (process.env.XJ_BENCH_KEEP) console.log(`    SIGTERM at ${new Date().toISOString()}`);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  if (!(await exited(child, 60_000))) {
    child.kill('SIGKILL');
    await exited(child, 5000);
  }
  if (early || child.exitCode !== 0) {
    const tail = readFileSync(errFile, 'utf8').trim().split('\n').filter((l) => !/: run (ok|interrupted)/.test(l)).slice(-6);
    console.log(`    the watcher ${early ? 'died during the window' : 'exited'} (exit ${child.exitCode}, signal ${child.signalCode}); its last words:\n      ${tail.join('\n      ')}`);
  }
  return { exitCode: child.exitCode, signal: child.signalCode, stopS: Math.round((performance.now() - t) / 100) / 10 };
}

// --- measuring ----------------------------------------------------------------------------------

/** The figures of a window that never started (the watcher made no request before the deadline). */
const NOTHING: Omit<WindowFigures, 'offered_per_s' | 'peak_rss_mb' | 'first_request_s'> = {
  pages_per_s: 0,
  ratio: 0,
  host_min: 0,
  host_p10: 0,
  host_median: 0,
  cpu_ms_per_page: 0,
  main_thread_cores: 0,
  children_cores: 0,
  ramp_s: -1,
  server_cores: 0,
  other_cores: 0,
};

async function measure(child: ChildProcess, farm: Farm, before: FarmCounts, n: number, seconds: number): Promise<WindowFigures> {
  const pid = child.pid!;
  const spawned = Date.now();
  let capHit = false;
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      const m = procMemory(pid);
      // the attachment readers are processes of their own: their memory is the watcher's too
      peak = Math.max(peak, m.hwm, m.tree);
      if (m.tree > RSS_CAP_MB * 1024 * 1024) {
        capHit = true;
        child.kill('SIGKILL');
      }
    } catch {
      // gone
    }
  }, 250);
  // a watcher of many sites may take a while to make its first request (or never make one)
  const deadline = spawned + Math.max(120, n * 0.6) * 1000;
  let c0: FarmCounts;
  for (;;) {
    c0 = await farm.counts();
    if (sum(c0.answered) > sum(before.answered)) break;
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      clearInterval(sampler);
      const died = child.exitCode !== null || child.signalCode !== null;
      return { ...NOTHING, offered_per_s: n, peak_rss_mb: mb(peak), first_request_s: -1, ...(died ? { died_after_s: Math.round((Date.now() - spawned) / 100) / 10 } : {}), ...(capHit ? { rss_cap_hit: 1 } : {}) };
    }
    await sleep(20);
  }
  const firstRequestS = Math.round((Date.now() - spawned) / 100) / 10;
  // the window starts half a second after the first answer, between two beats of a host at 1/s:
  // started on a beat, a window of W seconds would hold W - 1 of them
  await sleep(500);
  c0 = await farm.counts();
  const cpu0 = procCpu(pid);
  const server0 = procCpuMs(farm.child.pid!);
  const busy0 = machineBusyMs();
  const self0 = process.cpuUsage();
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end && child.exitCode === null) await sleep(Math.min(500, end - Date.now()));
  clearInterval(sampler);
  const c1 = await farm.counts();
  let cpu1 = cpu0;
  try {
    cpu1 = procCpu(pid);
    const m = procMemory(pid);
    peak = Math.max(peak, m.hwm, m.tree);
  } catch {
    // the child died (the cap): its CPU is lost with it
  }
  const server1 = procCpuMs(farm.child.pid!);
  const busy1 = machineBusyMs();
  const self = process.cpuUsage(self0);
  const span = (c1.at - c0.at) / 1000;
  const per = c1.answered.map((a, i) => (a - c0.answered[i]!) / span).sort((a, b) => a - b);
  const pages = sum(c1.answered) - sum(c0.answered);
  const firsts = c1.firstAt.filter((x): x is number => x !== null);
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const cpu = cpu1.threads + cpu1.children - cpu0.threads - cpu0.children;
  const others = busy1 - busy0 - cpu - (server1 - server0) - (self.user + self.system) / 1000;
  return {
    offered_per_s: n,
    pages_per_s: Math.round((pages / span) * 10) / 10,
    ratio: Math.round((pages / span / n) * 1000) / 1000,
    host_min: r2(per[0]!),
    host_p10: r2(per[Math.floor(per.length / 10)]!),
    host_median: r2(per[Math.floor(per.length / 2)]!),
    cpu_ms_per_page: r2(cpu / Math.max(1, pages)),
    // of which the main thread, and processes it started (Crawlee's \`ps\`), in cores
    main_thread_cores: r2((cpu1.main - cpu0.main) / 1000 / span),
    children_cores: r2((cpu1.children - cpu0.children) / 1000 / span),
    peak_rss_mb: mb(peak),
    ramp_s: firsts.length === n ? r2((Math.max(...firsts) - Math.min(...firsts)) / 1000) : -1,
    first_request_s: firstRequestS,
    server_cores: r2((server1 - server0) / 1000 / span),
    other_cores: r2(Math.max(0, others) / 1000 / span),
    ...(capHit ? { rss_cap_hit: 1 } : {}),
  };
}

/** CPU time the whole machine spent busy so far (all cores), in ms, from /proc/stat. */
function machineBusyMs(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f as [number, number, number, number, number, number, number, number];
  return ((user + nice + system + irq + softirq + steal) * 1000) / 100;
}

// --- everything kept? ---------------------------------------------------------------------------

interface KeptFigures {
  ok: boolean;
  answered: number;
  rows: number;
  answeredRows: number;
  warcOk: number;
  blobs: number;
  blobsOk: number;
  stray: number;
  runs: string;
  verifyExit: number | null;
  verifyS: number;
}

/**
 * Every answer the server gave since `sinceRun` has a fetch row; each fetch row's WARC record is
 * where the row says (a whole gzip member holding a response or metadata record); each body's blob
 * is present; and `xjwatch verify --data-dir` passes over the whole store.
 */
function keptCheck(dataDir: string, sinceRun: number, perHost: number[]): KeptFigures {
  const answered = sum(perHost);
  const db = new Database(join(dataDir, 'xjwatch.db'), { readonly: true });
  const rows = db.prepare('SELECT site_id, warc_file, warc_offset, warc_length, status, body_sha256 FROM fetches WHERE run_id > ? ORDER BY warc_file, warc_offset').all(sinceRun) as {
    site_id: string;
    warc_file: string;
    warc_offset: number;
    warc_length: number;
    status: number | null;
    body_sha256: string | null;
  }[];
  const runs = (db.prepare('SELECT status, count(*) AS n FROM runs WHERE id > ? GROUP BY status').all(sinceRun) as { status: string; n: number }[]).map((r) => `${r.n} ${r.status}`).join(', ');
  const sealed = new Set((db.prepare('SELECT file FROM warc_files').all() as { file: string }[]).map((r) => r.file));
  db.close();
  let warcOk = 0;
  let fd = -1;
  let open = '';
  for (const r of rows) {
    if (r.warc_file !== open) {
      if (fd >= 0) closeSync(fd);
      fd = openSync(join(dataDir, r.warc_file), 'r');
      open = r.warc_file;
    }
    const buf = Buffer.alloc(r.warc_length);
    readSync(fd, buf, 0, r.warc_length, r.warc_offset);
    try {
      const head = gunzipSync(buf).subarray(0, 2000).toString('latin1');
      if (/^WARC\/1\.1\r\n/.test(head) && /\r\nWARC-Type: (response|metadata)\r\n/.test(head)) warcOk++;
    } catch {
      // not a whole gzip member
    }
  }
  if (fd >= 0) closeSync(fd);
  // WARC files the catalogue neither sealed nor points into: written after their run was closed
  const named = new Set(rows.map((r) => r.warc_file));
  const stray = walk(join(dataDir, 'warc')).filter((f) => !sealed.has(f) && !named.has(f)).length;
  const shas = [...new Set(rows.map((r) => r.body_sha256).filter((s): s is string => Boolean(s)))];
  const blobsOk = shas.filter((s) => existsSync(join(dataDir, 'blobs', 'sha256', s.slice(0, 2), s.slice(2, 4), s))).length;
  const t = performance.now();
  const verify = spawnSync(process.execPath, [XJWATCH, 'verify', '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const verifyS = Math.round((performance.now() - t) / 100) / 10;
  if (verify.status !== 0) console.log(`    verify: ${verify.stderr.toString().split('\n').slice(0, 5).join(' | ')}`);
  const answeredRows = rows.filter((r) => r.status !== null).length;
  if (answeredRows !== answered) {
    const bySite = new Map<string, number>();
    for (const r of rows) if (r.status !== null) bySite.set(r.site_id, (bySite.get(r.site_id) ?? 0) + 1);
    const off = perHost.map((a, i) => [`h${String(i + 1).padStart(4, '0')}`, a - (bySite.get(`h${String(i + 1).padStart(4, '0')}`) ?? 0)] as const).filter(([, d]) => d !== 0);
    console.log(`    answers without a fetch row (+) or rows without an answer (-), by host: ${off.slice(0, 12).map(([h, d]) => `${h} ${d > 0 ? '+' : ''}${d}`).join(', ')}${off.length > 12 ? ` … (${off.length} hosts)` : ''}`);
  }
  return {
    ok: answeredRows === answered && warcOk === rows.length && blobsOk === shas.length && stray === 0 && verify.status === 0,
    stray,
    answered,
    rows: rows.length,
    answeredRows,
    warcOk,
    blobs: shas.length,
    blobsOk,
    runs,
    verifyExit: verify.status,
    verifyS,
  };
}

/** What xjwatch fetched from each host, in order (attachments with the posting as Referer, as xjwatch sends). */
function urlsPerHost(dataDir: string, bases: string[]): { url: string; referer?: string }[][] {
  const db = new Database(join(dataDir, 'xjwatch.db'), { readonly: true });
  const rows = db.prepare('SELECT url, purpose FROM fetches ORDER BY id').all() as { url: string; purpose: string }[];
  db.close();
  const byBase = new Map(bases.map((b) => [b, [] as { url: string; referer?: string }[]]));
  for (const r of rows) {
    const u = new URL(r.url);
    const owner = u.searchParams.get('owner');
    byBase.get(u.origin)?.push(r.purpose === 'attachment' && owner ? { url: r.url, referer: `${u.origin}/info/1103/${owner}.htm` } : { url: r.url });
  }
  return bases.map((b) => {
    const urls = byBase.get(b)!;
    return urls.length ? urls : [{ url: `${b}/xxgk/tzgg/index.htm` }];
  });
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Files under `dir`, as paths relative to its parent (the data directory), as the catalogue names them. */
function walk(dir: string, rel = dir.split('/').pop()!): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name), `${rel}/${e.name}`) : [`${rel}/${e.name}`]));
}
