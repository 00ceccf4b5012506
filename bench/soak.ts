import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { DIST, exited, mb, median, procFds, procMemory, sleep, startFixtureProcess } from './harness.js';

const XJWATCH = join(DIST, '..', 'bin', 'xjwatch.js');
const DEFAULT_CYCLES = 1000;
const WARM_UP = 50;
/** postings are rechecked every this many seconds (and a suspected deletion after 2 s) */
const REVISIT_S = 30;

interface Sample {
  cycle: number;
  at: number;
  rss: number;
  fds: number;
  threads: number;
  /** catalogue: xjwatch.db and its WAL */
  dbBytes: number;
}

interface Census {
  cycle: number;
  dataBytes: number;
  fetches: number;
  captures: number;
  checks: number;
  events: number;
}

/**
 * bench/soak: the real `xjwatch watch --now` (a child process) over the four imitation sites
 * (county, prefecture, regional, ASP.NET; no hostile pages), each on a one-second schedule with
 * known postings due every 30 s, for N cycles (a cycle: every site has run once more), while the
 * sites change under it — every tenth cycle a new posting, an edit, a deletion and a restored
 * posting, turn by turn across the sites. Sampled at every cycle: the RSS of the watcher and of
 * its attachment reader processes, open file handles and threads, the catalogue's size; every 50 cycles its rows and the data directory's
 * bytes. The baseline is the run itself: RSS after warm-up (cycles 50–99) against the last 100.
 *
 * `npm run bench -- soak [cycles]` (default 1000; XJ_SOAK_MAX_MINUTES, default 30, ends it sooner).
 */
export async function benchSoak(): Promise<Record<string, number>> {
  const target = Number(process.argv[3] ?? process.env.XJ_SOAK_CYCLES ?? DEFAULT_CYCLES);
  const maxMs = Number(process.env.XJ_SOAK_MAX_MINUTES ?? 30) * 60_000;
  const work = mkdtempSync(join(tmpdir(), 'xjwatch-soak-'));
  const fixtureSites = join(work, 'fixture-sites');
  const server = await startFixtureProcess(['--no-hostile', '--site-dir', fixtureSites]);
  const dataDir = join(work, 'data');
  try {
    const ids = writeSites(fixtureSites, join(dataDir, 'sites'));
    writeFileSync(
      join(dataDir, 'settings.yaml'),
      `watch: { concurrency: ${ids.length}, jitterSeconds: 0, outboxSeconds: 3600 }\nrevisit: { hitsHours: ${REVISIT_S / 3600}, youngHours: ${REVISIT_S / 3600}, ladderDays: [${REVISIT_S / 86400}], suspectedMinutes: ${2 / 60} }\n`,
    );
    const bases = Object.fromEntries(ids.map((id) => [id, new URL(server.urls[id]!).origin]));
    console.log(`soak: xjwatch watch over ${ids.join(', ')} on a one-second schedule, postings due every ${REVISIT_S} s, ${target} cycles`);

    // XJ_EXPERIMENT: parts of Crawlee taken away, to see what they do to memory (bench/experiment-preload.ts)
    const experiment = process.env.XJ_EXPERIMENT ? [`--import=${join(DIST, 'bench/experiment-preload.js')}`] : [];
    if (experiment.length) console.log(`  EXPERIMENT (not xjwatch as it ships): ${process.env.XJ_EXPERIMENT} taken away`);
    const child = spawn(process.execPath, [...experiment, XJWATCH, 'watch', '--now', '--json', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid!;
    const runs = new Map(ids.map((id) => [id, 0]));
    const failedRuns: string[] = [];
    const events = new Map<string, number>();
    const otherLog: string[] = [];
    createInterface({ input: child.stderr! }).on('line', (l) => {
      const m = /^xjwatch: (\S+): run (\w+)/.exec(l);
      if (m && runs.has(m[1]!)) {
        runs.set(m[1]!, runs.get(m[1]!)! + 1);
        if (m[2] !== 'ok') failedRuns.push(l);
      } else if (!/^xjwatch: watching /.test(l)) otherLog.push(l);
    });
    createInterface({ input: child.stdout! }).on('line', (l) => {
      try {
        const kind = (JSON.parse(l) as { kind?: string }).kind ?? '?';
        events.set(kind, (events.get(kind) ?? 0) + 1);
      } catch {
        // not an event
      }
    });

    const samples: Sample[] = [];
    const census: Census[] = [];
    const mutations = new Mutations(ids, bases);
    const started = Date.now();
    let cycle = 0;
    while (cycle < target && child.exitCode === null && Date.now() - started < maxMs) {
      await sleep(50);
      const now = Math.min(...runs.values());
      if (now === cycle) continue;
      cycle = now;
      try {
        const m = procMemory(pid);
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        samples.push({ cycle, at: Date.now(), rss: m.tree, fds: procFds(pid), threads: Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0), dbBytes: fileBytes(join(dataDir, 'xjwatch.db')) + fileBytes(join(dataDir, 'xjwatch.db-wal')) });
      } catch {
        break; // the watcher is gone
      }
      if (cycle % 50 === 0 || cycle === 1) census.push(takeCensus(dataDir, cycle));
      if (cycle % 100 === 0) {
        const s = samples[samples.length - 1]!;
        console.log(`  cycle ${cycle}: RSS ${mb(s.rss)} MB, ${s.fds} fds, ${s.threads} threads, catalogue ${mb(s.dbBytes)} MB, ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
      await mutations.at(cycle);
    }
    const elapsedS = (Date.now() - started) / 1000;
    const end = procMemory(pid);
    const hwm = Math.max(end.hwm, end.tree, ...samples.map((x) => x.rss));
    child.kill('SIGTERM');
    const stopped = await exited(child, 60_000);
    if (!stopped) child.kill('SIGKILL');
    await exited(child, 5000);
    census.push(takeCensus(dataDir, cycle));
    const t = performance.now();
    const verify = spawnSync(process.execPath, [XJWATCH, 'verify', '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
    const verifyS = (performance.now() - t) / 1000;

    // --- the figures ---
    const after = samples.filter((s) => s.cycle >= WARM_UP);
    const warm = samples.filter((s) => s.cycle >= WARM_UP && s.cycle < WARM_UP + 50);
    const last = samples.slice(-100);
    const warmRss = median(warm.map((s) => s.rss));
    const lastRss = median(last.map((s) => s.rss));
    const r3 = (x: number) => Math.round(x * 1000) / 1000;
    const c50 = census.find((c) => c.cycle === WARM_UP) ?? census[0]!;
    const cEnd = census[census.length - 1]!;
    const span = Math.max(1, cEnd.cycle - c50.cycle);
    const s50 = samples.find((s) => s.cycle === WARM_UP) ?? samples[0]!;
    const sEnd = samples[samples.length - 1]!;
    const cycleS = (xs: Sample[]) => (xs.length > 1 ? (xs[xs.length - 1]!.at - xs[0]!.at) / 1000 / (xs[xs.length - 1]!.cycle - xs[0]!.cycle) : 0);
    const figures = {
      cycles: cycle,
      sites: ids.length,
      elapsed_s: Math.round(elapsedS),
      s_per_cycle_first_100: r3(cycleS(samples.slice(0, 100))),
      s_per_cycle_last_100: r3(cycleS(last)),
      rss_warm_mb: mb(warmRss),
      rss_last100_mb: mb(lastRss),
      rss_ratio: r3(lastRss / warmRss),
      rss_min_after_warm_ratio: r3(Math.min(...after.map((s) => s.rss)) / warmRss),
      rss_max_after_warm_ratio: r3(Math.max(...after.map((s) => s.rss)) / warmRss),
      peak_rss_mb: mb(hwm),
      fds_first: samples[0]?.fds ?? 0,
      fds_min_after_warm: Math.min(...after.map((s) => s.fds)),
      fds_max_after_warm: Math.max(...after.map((s) => s.fds)),
      threads_min_after_warm: Math.min(...after.map((s) => s.threads)),
      threads_max_after_warm: Math.max(...after.map((s) => s.threads)),
      catalogue_mb_last: mb(sEnd.dbBytes),
      catalogue_kb_per_cycle: Math.round((sEnd.dbBytes - s50.dbBytes) / 1024 / Math.max(1, sEnd.cycle - s50.cycle)),
      data_dir_mb_last: mb(cEnd.dataBytes),
      data_dir_kb_per_cycle: Math.round((cEnd.dataBytes - c50.dataBytes) / 1024 / span),
      fetches_per_cycle: r3((cEnd.fetches - c50.fetches) / span),
      captures_per_cycle: r3((cEnd.captures - c50.captures) / span),
      checks_per_cycle: r3((cEnd.checks - c50.checks) / span),
      runs_not_ok: failedRuns.length,
      events_new_posting: events.get('new_posting') ?? 0,
      events_changed: events.get('changed') ?? 0,
      events_deleted: events.get('deleted') ?? 0,
      events_restored: events.get('restored') ?? 0,
      mutations_added: mutations.done.add,
      mutations_edited: mutations.done.edit,
      mutations_deleted: mutations.done.delete,
      mutations_restored: mutations.done.restore,
      stop_exit: child.exitCode ?? -1,
      verify_exit: verify.status ?? -1,
      verify_s: Math.round(verifyS),
    };
    console.log(`  ${cycle} cycles in ${figures.elapsed_s} s (${figures.s_per_cycle_first_100} s/cycle over the first 100, ${figures.s_per_cycle_last_100} over the last 100); ${failedRuns.length} runs not ok`);
    console.log(`  RSS: ${figures.rss_warm_mb} MB after warm-up (cycles ${WARM_UP}–${WARM_UP + 49}, median), ${figures.rss_last100_mb} MB over the last 100 → ratio ${figures.rss_ratio} (aim within ±10 %); after warm-up ${figures.rss_min_after_warm_ratio}–${figures.rss_max_after_warm_ratio} of it; peak ${figures.peak_rss_mb} MB`);
    console.log(`  open file handles: ${figures.fds_first} at cycle 1, ${figures.fds_min_after_warm}–${figures.fds_max_after_warm} after warm-up; threads ${figures.threads_min_after_warm}–${figures.threads_max_after_warm}`);
    console.log(`  catalogue ${figures.catalogue_mb_last} MB (+${figures.catalogue_kb_per_cycle} KB/cycle), data directory ${figures.data_dir_mb_last} MB (+${figures.data_dir_kb_per_cycle} KB/cycle); per cycle ${figures.fetches_per_cycle} fetches, ${figures.captures_per_cycle} captures, ${figures.checks_per_cycle} checks`);
    console.log(`  the sites changed: ${mutations.done.add} new postings, ${mutations.done.edit} edits, ${mutations.done.delete} deletions, ${mutations.done.restore} restored; events: ${[...events].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`  stopped: exit ${child.exitCode}; verify --data-dir exit ${verify.status} (${figures.verify_s} s)`);
    if (verify.status !== 0) console.log(`    ${verify.stderr.toString().split('\n').slice(0, 5).join(' | ')}`);
    for (const l of [...failedRuns.slice(0, 3), ...otherLog.slice(0, 5)]) console.log(`    watcher: ${l}`);
    if (process.env.XJ_BENCH_KEEP) writeFileSync(join(work, 'samples.json'), JSON.stringify({ samples, census }));
    return figures;
  } finally {
    server.stop();
    if (process.env.XJ_BENCH_KEEP) console.log(`  kept for inspection: ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

/** The fixture server's site files with a one-second schedule (and the county's pagination trap left out: 30 pages a cycle). */
function writeSites(from: string, to: string): string[] {
  mkdirSync(to, { recursive: true });
  const ids: string[] = [];
  for (const f of readdirSync(from).filter((n) => n.endsWith('.yaml'))) {
    let text = readFileSync(join(from, f), 'utf8');
    text = text.replace(/^(home: .*)$/m, '$1\nschedule: "*/1 * * * * *"');
    text = text.replace(/^ {2}- url: \S+\/zcwj\/list\.htm\?page=1\n {4}maxPages: 30\n/m, '');
    writeFileSync(join(to, f), text);
    ids.push(f.replace(/\.yaml$/, ''));
  }
  return ids.sort();
}

/** Every tenth cycle, on the sites in turn: a new posting (cycle 10k+1), an edit (+3), a deletion (+5), a restored deletion (+7). */
class Mutations {
  readonly done = { add: 0, edit: 0, delete: 0, restore: 0 };
  private readonly deleted: { site: string; id: number }[] = [];
  private readonly hows = ['404', 'soft-phrase', '410', 'redirect-home'];

  constructor(
    private readonly ids: string[],
    private readonly bases: Record<string, string>,
  ) {}

  async at(cycle: number): Promise<void> {
    const step = cycle % 10;
    if (![1, 3, 5, 7].includes(step)) return;
    // each kind of change goes round the sites (the tenth cycle picks which site starts)
    const site = this.ids[(Math.floor(cycle / 10) + step) % this.ids.length]!;
    const ask = async (path: string) => {
      const res = await fetch(`${this.bases[site]}/__fixture/${path}`);
      if (!res.ok) throw new Error(`${site} /__fixture/${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<unknown>;
    };
    const live = async () => ((await ask('state')) as { id: number; gone: string | null; hidden: boolean }[]).filter((p) => !p.gone && !p.hidden);
    if (step === 1) {
      await ask('add');
      this.done.add++;
    } else if (step === 3) {
      const ps = await live();
      const p = ps[(cycle * 7) % ps.length]!;
      await ask(`edit?id=${p.id}&append=${encodeURIComponent(`第${cycle}次补充说明：各乡镇要认真抓好落实。`)}`);
      this.done.edit++;
    } else if (step === 5) {
      const ps = await live();
      const p = ps[(cycle * 13) % ps.length]!;
      await ask(`delete?id=${p.id}&how=${this.hows[this.done.delete % this.hows.length]}`);
      this.deleted.push({ site, id: p.id });
      this.done.delete++;
    } else if (this.deleted.length > 3) {
      // the oldest deletion comes back (by then it has been confirmed deleted)
      const d = this.deleted.shift()!;
      await fetch(`${this.bases[d.site]}/__fixture/restore?id=${d.id}`);
      this.done.restore++;
    }
  }
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : fileBytes(p);
  }
  return n;
}

function takeCensus(dataDir: string, cycle: number): Census {
  const db = new Database(join(dataDir, 'xjwatch.db'), { readonly: true });
  try {
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { cycle, dataBytes: dirBytes(dataDir), fetches: count('fetches'), captures: count('captures'), checks: count('checks'), events: count('events') };
  } finally {
    db.close();
  }
}
