import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CronTime } from 'cron';
import type { WatchSettings } from '../config/settings.js';
import type { Site } from '../config/site-file.js';
import { MachineTicker } from './machine-ticker.js';
import { divideConcurrency, splitSites } from './site-split.js';
import { errorFromWire, siteToWire, type FromWorker, type ToWorker, type WorkerStart } from './watch-messages.js';
import { watchState, type SiteState, type WatcherOptions, type WatchState } from './watcher.js';

export interface WatcherPoolOptions extends Omit<WatcherOptions, 'machine'> {
  /** the sites of each worker (planWorkers); `sites` keeps their order for watch.json */
  shares: Site[][];
  /** the worker threads' entry: the command's wiring around schedule/watch-worker.ts's serveWatcher */
  workerUrl: URL;
  wiring: unknown;
  /** a worker died (an uncaught error, or it exited unasked): the watcher must stop */
  onWorkerCrash: (problem: string) => void;
}

/**
 * The sites of each worker thread `watch.workers` asks for (`auto`: one per core), no more
 * threads than `concurrency` or than groups of sites sharing hosts. One share: one thread, the
 * plain Watcher.
 */
export function planWorkers(sites: Site[], watch: WatchSettings): Site[][] {
  const n = Math.min(watch.workers === 'auto' ? availableParallelism() : watch.workers, watch.concurrency, sites.length);
  return n > 1 ? splitSites(sites, n) : [sites];
}

interface Thread {
  worker: Worker;
  sites: Site[];
  /** resolves when the worker said it stopped, or is gone */
  stopped: Promise<boolean>;
  /** resolves when the thread has ended */
  gone: Promise<void>;
  exited: boolean;
  crashed: boolean;
}

/**
 * `xjwatch watch` over several worker threads: the sites split so that every host's sites are in
 * one worker (site-split.ts; each worker has its own host gate), `watch.concurrency` divided in
 * proportion, each worker a Watcher of its own (watch-worker.ts). This thread keeps what is
 * the whole watcher's: the outbox and machine checks (MachineTicker), the events, log lines and
 * runs the workers report, and where every site stands, for watch.json. Threads, not processes:
 * a kill -9 of the watcher takes every worker with it, as it takes a one-thread watcher.
 */
export class WatcherPool {
  private readonly threads: Thread[] = [];
  private readonly states = new Map<string, SiteState>();
  private readonly machine: MachineTicker;
  private readonly startedAt = new Date().toISOString();
  private stopping = false;

  constructor(private readonly opts: WatcherPoolOptions) {
    this.machine = new MachineTicker(opts);
    for (const s of opts.sites) {
      // until its worker says: the next date as cron will compute it there
      const next = new CronTime(s.schedule, s.timezone).sendAt().toUTC().toISO();
      this.states.set(s.id, { id: s.id, schedule: s.schedule, timezone: s.timezone, next_run: next, running_since: null, last: null });
    }
  }

  start(now = false): void {
    const { settings, shares } = this.opts;
    const slots = divideConcurrency(settings.watch.concurrency, shares.map((s) => s.length));
    shares.forEach((sites, index) => {
      const start: WorkerStart = {
        index,
        dataDir: this.opts.dataDir,
        sites: sites.map(siteToWire),
        terms: this.opts.terms,
        settings: { ...settings, watch: { ...settings.watch, concurrency: slots[index]! } },
        userAgent: this.opts.userAgent,
        confirmAfter: this.opts.confirmAfter,
        now,
        wiring: this.opts.wiring,
      };
      const worker = new Worker(this.opts.workerUrl, { workerData: start });
      let said!: (clean: boolean) => void;
      let ended!: () => void;
      const thread: Thread = { worker, sites, stopped: new Promise((r) => (said = r)), gone: new Promise((r) => (ended = r)), exited: false, crashed: false };
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'stopped') {
          this.record(m.sites);
          said(m.clean);
        } else this.receive(m);
      });
      worker.on('error', (e) => this.crashed(thread, index, `an uncaught error: ${e.message}`));
      worker.on('exit', (code) => {
        thread.exited = true;
        said(false);
        ended();
        this.crashed(thread, index, `it exited (code ${code})`);
      });
      this.threads.push(thread);
    });
    this.machine.start();
  }

  state(): WatchState {
    return watchState(
      this.startedAt,
      this.opts.sites.map((s) => {
        const st = this.states.get(s.id)!;
        return this.stopping ? { ...st, next_run: null } : st;
      }),
    );
  }

  /**
   * Tells every worker to stop (their runs finish what they asked for, their WARC files are
   * sealed), waits for them at most `graceMs`, then delivers what their last runs queued within
   * what is left of it. A worker that stopped cleanly ends by itself; one still busy then is ended
   * as a crash would end it. Never terminate() a thread that can end by itself: terminating one
   * in the middle of a zlib call aborts the whole process (Node's "close before init" assertion).
   */
  async stop(graceMs: number): Promise<boolean> {
    this.stopping = true;
    this.machine.stop();
    const deadline = Date.now() + graceMs;
    for (const t of this.threads) if (!t.exited) t.worker.postMessage({ type: 'stop', graceMs } satisfies ToWorker);
    // the workers' own grace ends at the deadline; a little more for their last messages
    const late = (ms: number) => new Promise<false>((ok) => setTimeout(() => ok(false), Math.max(0, ms)).unref());
    const clean = await Promise.race([Promise.all(this.threads.map((t) => t.stopped)).then((all) => all.every(Boolean)), late(deadline + 1500 - Date.now())]);
    if (clean) await Promise.race([Promise.all(this.threads.map((t) => t.gone)), late(deadline + 1500 - Date.now())]);
    const left = this.threads.filter((t) => !t.exited);
    if (clean && left.length) this.opts.log(`${left.length} worker thread(s) did not end by themselves after a clean stop: ended`);
    await Promise.all(left.map((t) => t.worker.terminate()));
    if (clean) await Promise.race([this.machine.deliver(), late(deadline - Date.now())]);
    return clean;
  }

  private receive(m: Exclude<FromWorker, { type: 'stopped' }>): void {
    const o = this.opts;
    switch (m.type) {
      case 'event':
        return o.emit(m.event);
      case 'log':
        return o.log(m.line);
      case 'deliver':
        if (!this.stopping) void this.machine.deliver();
        return;
      case 'browser':
        return o.onBrowserUnavailable?.(m.problem);
      case 'state':
        return this.record(m.sites);
      case 'run':
        this.record([m.site]);
        return o.onRun?.(m.site.id, m.outcome, m.status);
      case 'write-failure':
        return o.onWriteFailure(errorFromWire(m.failure));
    }
  }

  private record(sites: SiteState[]): void {
    for (const s of sites) this.states.set(s.id, s);
  }

  private crashed(thread: Thread, index: number, how: string): void {
    if ((this.stopping && thread.exited) || thread.crashed) return; // ended by stop(), or said already (an error, then its exit)
    thread.crashed = true;
    const names = thread.sites.map((s) => s.id);
    const shown = names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
    this.opts.onWorkerCrash(`worker thread ${index + 1} of ${this.threads.length} (sites ${shown}) died: ${how}`);
  }
}
