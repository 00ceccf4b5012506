import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * For bench/scale's "what holds it back" only — never part of xjwatch: loaded into the watcher with
 * `node --import dist/bench/experiment-preload.js`, it takes one part of Crawlee's per-crawler
 * machinery away, as XJ_EXPERIMENT names them (comma-separated), to measure what that part costs:
 *
 * - `no-ps`: each crawler's system-info event (every second) reads the process's own RSS instead
 *   of spawning `ps -A` to add up its process tree (Crawlee's getMemoryInfoV2), and its memory
 *   signal takes the machine's memory from os.totalmem() instead of one more `ps` at its start;
 * - `small-dedup`: each request queue's deduplication cache gets 4,096 slots instead of the
 *   1,000,000 (two arrays of 8 MB each) Crawlee allocates for every queue;
 * - `cached-next-date` (ours, not Crawlee's): a cron job's next date is computed once and kept
 *   until it has passed, instead of anew for every site each time watch.json is written (after
 *   every run).
 *
 * And two that take nothing away but report, to stderr every 10 s per thread (workers inherit the
 * `--import`):
 *
 * - `loop-delay`: the event loop's delay (p50, p90, p99, max), from perf_hooks;
 * - `gate-lateness`: per host turn, how late it began after the host gate allowed it (the caller
 *   came late, or the timer fired late) and how long the request held the turn.
 */
const require = createRequire(import.meta.url);
const core = dirname(require.resolve('@crawlee/core'));
const wanted = new Set((process.env.XJ_EXPERIMENT ?? '').split(',').filter(Boolean));

if (wanted.has('no-ps')) {
  const { LocalEventManager } = require(join(core, 'events', 'local_event_manager.js')) as { LocalEventManager: { prototype: Record<string, unknown> } };
  const total = (require('node:os') as typeof import('node:os')).totalmem();
  LocalEventManager.prototype.createMemoryInfo = async () => ({ memTotalBytes: total, memCurrentBytes: process.memoryUsage.rss() });
  // and the one more `ps` each crawler's memory signal makes when it starts
  const { MemoryLoadSignal } = require(join(core, 'autoscaling', 'memory_load_signal.js')) as { MemoryLoadSignal: { prototype: Record<string, unknown> } };
  MemoryLoadSignal.prototype._getTotalMemoryBytes = async () => total;
}

if (wanted.has('small-dedup')) {
  const mod = require(join(core, 'storages', 'request_dedup_cache.js')) as { RequestDeduplicationCache: new (size?: number) => object };
  const Original = mod.RequestDeduplicationCache;
  mod.RequestDeduplicationCache = class extends Original {
    constructor(size = 4096) {
      super(size);
    }
  };
}

if (wanted.has('cached-next-date')) {
  const { CronJob } = require('cron') as { CronJob: { prototype: { nextDate: () => { toMillis(): number } } } };
  const compute = CronJob.prototype.nextDate;
  const cache = new WeakMap<object, { toMillis(): number }>();
  CronJob.prototype.nextDate = function (this: object) {
    const c = cache.get(this);
    if (c && c.toMillis() > Date.now()) return c;
    const next = compute.call(this);
    cache.set(this, next);
    return next;
  };
}

if (wanted.has('loop-delay')) {
  // not a part taken away: each thread's event-loop delay, printed to stderr every 10 s
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const { threadId } = await import('node:worker_threads');
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  setInterval(() => {
    const ms = (n: number) => (n / 1e6).toFixed(1);
    process.stderr.write(`loop-delay thread ${threadId}: p50 ${ms(h.percentile(50))} p90 ${ms(h.percentile(90))} p99 ${ms(h.percentile(99))} max ${ms(h.max)} ms\n`);
    h.reset();
  }, 10_000).unref();
}

if (wanted.has('gate-lateness')) {
  // not a part taken away: per host turn, how late it started after it was allowed to (the
  // caller came late: `caller`; the timer fired late: `timer`), summed per thread every 10 s
  const { HostGate } = await import('../src/fetch/host-gate.js');
  const { threadId } = await import('node:worker_threads');
  const proto = HostGate.prototype as unknown as { acquire: (host: string, limits?: unknown) => Promise<() => void>; hosts?: unknown };
  const acquire = proto.acquire;
  const lastRelease = new Map<string, number>();
  const sums = { turns: 0, callerMs: 0, timerMs: 0, busyMs: 0 };
  proto.acquire = async function (this: unknown, host: string, limits?: unknown) {
    const called = Date.now();
    const rel = lastRelease.get(host);
    const release = await acquire.call(this, host, limits);
    const started = Date.now();
    const allowed = rel !== undefined ? rel + 1000 : called;
    sums.turns++;
    if (rel !== undefined) {
      sums.callerMs += Math.max(0, called - allowed);
      sums.timerMs += Math.max(0, started - Math.max(called, allowed));
    }
    return () => {
      const now = Date.now();
      sums.busyMs += now - started;
      lastRelease.set(host, now);
      release();
    };
  };
  setInterval(() => {
    const per = (x: number) => (sums.turns ? (x / sums.turns).toFixed(1) : '-');
    process.stderr.write(`gate thread ${threadId}: ${sums.turns} turns; per turn: caller late ${per(sums.callerMs)} ms, timer late ${per(sums.timerMs)} ms, request ${per(sums.busyMs)} ms\n`);
    Object.assign(sums, { turns: 0, callerMs: 0, timerMs: 0, busyMs: 0 });
  }, 10_000).unref();
}
