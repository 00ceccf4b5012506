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
