import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { Logger, run, type Runner, type Task, type WorkerEvents } from 'graphile-worker';
import pg from 'pg';
import type { Site } from '../config/site-file.js';
import { endDeadRuns, forgetPastDueRuns, freeDeadWorkersJobs, holdWorkerLock, prepareQueueTables, queueSiteRun } from '../store/pg/job-queue.js';
import { TeamLock } from '../store/pg/team-lock.js';
import type { RunStatus } from './watcher.js';

/** Tries before a site run is given up (a watcher stopped or killed mid-run gives it back). */
const MAX_ATTEMPTS = 5;
const REAP_EVERY_MS = 2000;
/** past due dates are forgotten, and dead processes' runs ended, every this many reaps (about ten minutes) */
const FORGET_EVERY = 300;

export interface TeamQueueOptions {
  url: string;
  /** the sites this watcher takes: a job of another site is left to the watchers that have it */
  sites: Site[];
  /** site runs at once in this process */
  concurrency: number;
  /** runs the site now, as this watcher would at its date */
  runSite: (site: Site) => Promise<RunStatus>;
  log: (line: string) => void;
  /** the connection that shows this worker alive broke: others now take its jobs, so it must stop */
  onLost: (problem: string) => void;
}

/** The job's task name: a worker takes only the sites it is given (the network it is on reaches). */
const taskOf = (site: Site) => `site:${site.id}`;
/** One queue per host: one site run at a time per host across all workers, the politeness of one machine. */
const queueOf = (site: Site) => `host:${new URL(site.home).host}`;

/**
 * The team's job queue (graphile-worker, in the team's PostgreSQL): every watcher queues its sites'
 * due runs, and every watcher takes jobs of the sites it has. A due run is one job however many
 * watchers queue it (xjwatch_queued_runs); a host's jobs run one at a time (its queue); a worker
 * killed mid-job has its job freed by the others (the worker's lock, job-queue.ts) and run again,
 * the catalogue's unique keys keeping what the first attempt recorded from being recorded twice.
 */
export class TeamQueue {
  private readonly by = `${hostname()}:${process.pid}`;
  private reaper: NodeJS.Timeout | undefined;
  private livenessClient: pg.PoolClient | undefined;
  private stopped = false;
  private reaps = 0;

  private constructor(
    private readonly opts: TeamQueueOptions,
    private readonly pool: pg.Pool,
    private runner?: Runner,
  ) {}

  static async start(opts: TeamQueueOptions): Promise<TeamQueue> {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.concurrency + 4, application_name: `xjwatch:${process.pid}:${hostname()}:watch-queue`.slice(0, 63) });
    // a dropped idle connection is told to the next query; unheard here it would end the process
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    const q = new TeamQueue(opts, pool);
    try {
      await prepareQueueTables(pool);
      await forgetPastDueRuns(pool);
      await endDeadRuns(pool);
      const events = new EventEmitter() as WorkerEvents;
      events.on('pool:create', ({ workerPool }) => void q.holdLiveness(workerPool.id));
      const taskList: Record<string, Task> = {};
      for (const site of opts.sites) taskList[taskOf(site)] = (payload) => q.job(site, payload as { due?: string });
      q.runner = await run({
        pgPool: pool,
        concurrency: opts.concurrency,
        taskList,
        noHandleSignals: true,
        pollInterval: 1000,
        parsedCronItems: [],
        events,
        logger: new Logger(() => (level, message) => {
          // stdout carries events only: the queue's own news goes to the log, and only its trouble
          if (level === 'error' || level === 'warning') opts.log(`job queue: ${message}`);
        }),
      });
    } catch (e) {
      await pool.end().catch(() => {});
      throw e;
    }
    q.reaper = setInterval(() => void q.reap(), REAP_EVERY_MS);
    return q;
  }

  /** Queues the site's run due at `due`, unless some watcher already did. */
  async enqueue(site: Site, due: string): Promise<boolean> {
    return queueSiteRun(this.pool, { site: site.id, due, task: taskOf(site), queue: queueOf(site), by: this.by, maxAttempts: MAX_ATTEMPTS });
  }

  /** Stops taking jobs and lets those running end (the watcher interrupts them meanwhile). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.reaper);
    await this.runner?.stop().catch(() => {});
    this.livenessClient?.release();
    await this.pool.end().catch(() => {});
  }

  private async job(site: Site, payload: { due?: string }): Promise<void> {
    // shared with the other jobs, whole for an ad hoc crawl or check: they wait for each other
    let lock: TeamLock | undefined;
    for (let told = false; !(lock = TeamLock.tryShared(this.opts.url, `watch ${site.id}`)); told = true) {
      if (this.stopped) throw new Error('the watcher stopped before the run began: left for another watcher');
      if (!told) this.opts.log(`${site.id}: waiting for an ad hoc run on the team catalogue to finish`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    try {
      const status = await this.opts.runSite(site);
      // thrown, the job goes back to the queue for another try (here or on another watcher)
      if (status === 'interrupted') throw new Error(`the run of ${site.id} due ${payload.due ?? '?'} was interrupted: left for another try`);
    } finally {
      lock.release();
    }
  }

  private async holdLiveness(poolId: string): Promise<void> {
    try {
      const c = await this.pool.connect();
      this.livenessClient = c;
      c.on('error', (e) => this.lost(`the job queue's connection broke (${e.message})`));
      await holdWorkerLock(c, poolId);
    } catch (e) {
      this.lost(`the job queue's worker lock could not be taken (${(e as Error).message})`);
    }
  }

  private lost(problem: string): void {
    if (this.stopped) return;
    this.opts.onLost(problem);
  }

  private async reap(): Promise<void> {
    try {
      if (++this.reaps % FORGET_EVERY === 0) await Promise.all([forgetPastDueRuns(this.pool), endDeadRuns(this.pool)]);
      const dead = await freeDeadWorkersJobs(this.pool);
      if (dead.length) this.opts.log(`job queue: freed the jobs of ${dead.length} stopped worker(s), for another try`);
    } catch (e) {
      if (!this.stopped) this.opts.log(`job queue: could not look for stopped workers: ${(e as Error).message}`);
    }
  }
}
