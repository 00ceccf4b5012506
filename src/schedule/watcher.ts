import type { Settings } from '../config/settings.js';
import type { Site } from '../config/site-file.js';
import type { XjEvent } from '../detect/events.js';
import { DocumentTextExtractor } from '../extract/document-text/extractor.js';
import { HostGate } from '../fetch/host-gate.js';
import type { Catalogue } from '../store/catalogue.js';
import { CatalogueGone } from '../store/db.js';
import type { Term } from '../terms/types.js';
import { MachineTicker } from './machine-ticker.js';
import { priorOptions } from './prior.js';
import { runPass } from './pass.js';
import { PassProgress } from './progress.js';
import { RunContext } from './run-context.js';
import { SiteTimer } from './site-timer.js';
import type { SiteOutcome } from './site-outcome.js';

export interface WatcherOptions {
  dataDir: string;
  sites: Site[];
  terms: Term[];
  settings: Settings;
  userAgent: string;
  confirmAfter: number;
  emit: (event: XjEvent) => void;
  /** one line per run and per trouble, for the operator's log */
  log: (line: string) => void;
  /** queues the alerts of the events written through this catalogue, in their transactions */
  arm: (target: { catalogue: Catalogue }) => void;
  /** sends what the outbox holds that is due (immediate mails, digests at their time, retries) */
  deliver: () => Promise<void>;
  onBrowserUnavailable?: (problem: string) => void;
  /** told after each site run, with what it recorded */
  onRun?: (site: string, outcome: SiteOutcome | undefined, status: RunStatus) => void;
  /** a write to the data directory failed for good: the watcher stops (nothing more can be kept) */
  onWriteFailure: (failure: unknown) => void;
  /**
   * Team storage: a site falling due is queued on the team's job queue (`due`: the date, or a
   * `now@…` window for --now) instead of run here; the run comes back as a job (`runJob`).
   */
  enqueue?: (site: Site, due: string) => void;
  /**
   * false: the outbox period, the machine checks and the delivery at the stop are another
   * thread's (a worker of watch-pool.ts); `deliver` is still called after each run.
   */
  machine?: boolean;
}

export type RunStatus = 'ok' | 'failed' | 'interrupted';

/** The watcher's state, for `status`: kept in watch.json beside the catalogue. */
export interface WatchState {
  pid: number;
  started_at: string;
  updated_at: string;
  rss_bytes: number;
  sites: SiteState[];
}

/** The watcher process's part of its state, around the sites' (each thread's own, or a pool's). */
export function watchState(startedAt: string, sites: SiteState[]): WatchState {
  return { pid: process.pid, started_at: startedAt, updated_at: new Date().toISOString(), rss_bytes: process.memoryUsage.rss(), sites };
}

export interface SiteState {
  id: string;
  schedule: string;
  timezone: string;
  next_run: string | null;
  running_since: string | null;
  last: { at: string; status: RunStatus } | null;
}

/**
 * `xjwatch watch`: every site on its own cron schedule (in its time zone, started up to
 * `jitterSeconds` late so that sites sharing a schedule do not all start at once), never two runs
 * of one site at once (its next date is armed when its run ends: site-timer.ts), at most `concurrency` sites at once, one
 * politeness gate per host across all of them, the outbox tried every `outboxSeconds`. Each site
 * run is a run of its own (its WARC file, its row in `runs`), rechecking what the revisit policy
 * says is due.
 */
export class Watcher {
  private readonly timers = new Map<string, SiteTimer>();
  private readonly running = new Map<string, { ctx?: RunContext; since: string; done: Promise<void> }>();
  private readonly last = new Map<string, { at: string; status: RunStatus }>();
  private readonly gate = new HostGate(1, 1000);
  /** one attachment reader for all the runs of this thread */
  private readonly documents = new DocumentTextExtractor();
  private readonly slots: Slots;
  private readonly startedAt = new Date().toISOString();
  private readonly machine: MachineTicker | undefined;
  private stopping = false;
  private readonly wake = new AbortController();

  constructor(private readonly opts: WatcherOptions) {
    this.slots = new Slots(opts.settings.watch.concurrency);
    if (opts.machine !== false) this.machine = new MachineTicker(opts);
  }

  /** Arms every site's schedule and the outbox; with `now`, every site also runs at once. */
  start(now = false): void {
    const enqueue = this.opts.enqueue;
    for (const site of this.opts.sites) {
      this.timers.set(site.id, new SiteTimer(site.schedule, site.timezone));
      if (now && !enqueue) {
        this.run(site, false); // armed when the run ends
        continue;
      }
      if (now) enqueue!(site, nowWindow());
      this.arm(site);
    }
    this.machine?.start();
  }

  /**
   * The site's next scheduled run; armed again when a run ends, so runs of a site never overlap.
   * Queued instead, it is armed again at once: the queue keeps a site's runs apart (one per host).
   */
  private arm(site: Site): void {
    if (this.stopping) return;
    const enqueue = this.opts.enqueue;
    this.timers.get(site.id)?.arm((due) => {
      if (!enqueue) return this.run(site, true);
      enqueue(site, due.toISOString());
      this.arm(site);
    });
  }

  /** A job of the team's queue: the site's run, here and now. 'interrupted' when the watcher stops. */
  async runJob(site: Site): Promise<RunStatus> {
    if (this.stopping || this.running.has(site.id)) return 'interrupted';
    let resolve!: () => void;
    const entry: { ctx?: RunContext; since: string; done: Promise<void> } = { since: new Date().toISOString(), done: new Promise((r) => (resolve = r)) };
    this.running.set(site.id, entry);
    let status: RunStatus = 'interrupted';
    try {
      const release = await this.slots.acquire();
      try {
        if (this.stopping) return status;
        entry.ctx = RunContext.open(this.opts.dataDir, `watch ${site.id}`);
        status = await this.runSite(site, entry.ctx);
      } finally {
        release();
      }
    } finally {
      this.running.delete(site.id);
      resolve();
    }
    if (!this.stopping) await this.deliver();
    return status;
  }

  private run(site: Site, jitter: boolean): void {
    this.tick(site, jitter).catch((e) => this.opts.log(`${site.id}: the scheduled run failed: ${(e as Error).message}`));
  }

  /** Where each site stands: for watch.json and `status`. */
  state(): WatchState {
    return watchState(this.startedAt, this.opts.sites.map((s) => this.siteState(s)));
  }

  siteState(s: Site): SiteState {
    return {
      id: s.id,
      schedule: s.schedule,
      timezone: s.timezone,
      next_run: this.stopping ? null : this.nextRun(s.id),
      running_since: this.running.get(s.id)?.since ?? null,
      last: this.last.get(s.id) ?? null,
    };
  }

  private nextRun(id: string): string | null {
    return this.timers.get(id)?.next?.toISOString() ?? null;
  }

  /**
   * Stops taking work and lets the runs in flight finish what they have asked for (their
   * requests answered and kept, their WARC files sealed), waiting at most `graceMs`.
   */
  async stop(graceMs: number): Promise<boolean> {
    this.stopping = true;
    this.wake.abort();
    for (const timer of this.timers.values()) timer.disarm();
    this.machine?.stop();
    for (const r of this.running.values()) r.ctx?.interrupt();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((ok) => (timer = setTimeout(() => ok(false), graceMs)));
    const done = Promise.all([...this.running.values()].map((r) => r.done)).then(() => true);
    const finished = await Promise.race([done, late]);
    // what the last runs queued goes out now rather than at the next start, within the same grace
    if (finished && this.machine) await Promise.race([this.machine.deliver(), late]);
    clearTimeout(timer);
    await this.documents.close();
    return finished;
  }

  private async tick(site: Site, jitter: boolean): Promise<void> {
    if (this.stopping || this.running.has(site.id)) return;
    let resolve!: () => void;
    const entry: { ctx?: RunContext; since: string; done: Promise<void> } = { since: new Date().toISOString(), done: new Promise((r) => (resolve = r)) };
    this.running.set(site.id, entry);
    try {
      const wait = jitter ? Math.random() * this.opts.settings.watch.jitterSeconds * 1000 : 0;
      if (wait) await sleep(wait, this.wake.signal);
      const release = await this.slots.acquire();
      try {
        if (this.stopping) return;
        entry.ctx = RunContext.open(this.opts.dataDir, `watch ${site.id}`);
        await this.runSite(site, entry.ctx);
      } finally {
        release();
      }
    } finally {
      this.running.delete(site.id);
      // armed before the mail goes: a slow or dead mail server must not hold the next run back
      this.arm(site);
      resolve();
    }
    if (!this.stopping) await this.deliver();
  }

  private async runSite(site: Site, ctx: RunContext): Promise<RunStatus> {
    this.opts.arm(ctx);
    let outcomes: SiteOutcome[] = [];
    let status: RunStatus = 'failed';
    let failure: unknown;
    try {
      outcomes = await runPass(ctx, [site], {
        terms: this.opts.terms,
        userAgent: this.opts.userAgent,
        allPostings: false,
        recheck: 'due',
        revisit: this.opts.settings.revisit,
        operator: this.opts.settings.operator,
        prior: priorOptions(this.opts.settings.prior.wayback),
        hostGate: this.gate,
        confirmAfter: this.opts.confirmAfter,
        screenshots: true,
        emit: this.opts.emit,
        progress: new PassProgress(),
        onBrowserUnavailable: this.opts.onBrowserUnavailable,
        documents: this.documents,
      });
      status = ctx.interrupted ? 'interrupted' : 'ok';
    } catch (e) {
      failure = e;
    } finally {
      try {
        ctx.finish(status, { sites: outcomes });
      } catch (e) {
        // the run row says failed then: the log, watch.json and the pool must say the same
        status = 'failed';
        failure ??= e;
      }
    }
    this.last.set(site.id, { at: new Date().toISOString(), status });
    this.opts.onRun?.(site.id, outcomes[0], status);
    if (failure !== undefined) {
      // a catalogue removed under the watcher takes every later run's rows too: stop, as for a full disk
      if (ctx.halted || failure instanceof CatalogueGone) this.opts.onWriteFailure(failure);
      else this.opts.log(`${site.id}: the run failed: ${(failure as Error).message ?? String(failure)}`);
    }
    return status;
  }

  private deliver(): Promise<void> {
    return this.machine ? this.machine.deliver() : this.opts.deliver().catch((e) => this.opts.log(`mail: ${(e as Error).message}`));
  }
}

/**
 * The due date of a --now run on the team's queue: the quarter hour it was asked in, so that
 * watchers started together with --now queue one run of each site, not one each.
 */
function nowWindow(at = Date.now()): string {
  const q = 15 * 60_000;
  return `now@${new Date(Math.floor(at / q) * q).toISOString()}`;
}

/** At most `n` site runs at once; the rest wait their turn in order. */
class Slots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly n: number) {}

  async acquire(): Promise<() => void> {
    while (this.active >= this.n) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.();
    };
  }
}

/** Waits `ms`, or less if `signal` aborts; its listener goes with it (a watcher sleeps once a run, for months). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const wake = () => (clearTimeout(t), resolve());
    const t = setTimeout(() => (signal.removeEventListener('abort', wake), resolve()), ms);
    signal.addEventListener('abort', wake, { once: true });
  });
}
