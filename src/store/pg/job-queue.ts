import type pg from 'pg';
import { ABANDONED_RUNS_PG } from '../run-records.js';

// The team's job queue is graphile-worker's (its own schema, graphile_worker); these are the few
// statements xjwatch adds around it: which due runs were queued, and which workers are dead.

const TABLE_LOCK = 7_301_004;

/** The table that makes one due run one job, whichever watcher (and however late) asks. */
export async function prepareQueueTables(pool: pg.Pool): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    // two watchers starting at once would race on the catalog rows CREATE TABLE IF NOT EXISTS adds
    await c.query(`SELECT pg_advisory_xact_lock(${TABLE_LOCK})`);
    await c.query(`CREATE TABLE IF NOT EXISTS xjwatch_queued_runs (
      site_id TEXT NOT NULL,
      due TEXT NOT NULL,
      queued_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      queued_by TEXT NOT NULL,
      PRIMARY KEY (site_id, due))`);
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}

/**
 * Queues the site's run for the date it fell due, once: the first watcher to ask records the due
 * date and adds the job in the same statement; every later ask (another watcher, the same date)
 * adds nothing, even after the job has run and gone. Returns whether this call queued it.
 */
export async function queueSiteRun(pool: pg.Pool, job: { site: string; due: string; task: string; queue: string; by: string; maxAttempts: number }): Promise<boolean> {
  const r = await pool.query(
    `WITH due AS (
       INSERT INTO xjwatch_queued_runs (site_id, due, queued_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING site_id
     )
     SELECT graphile_worker.add_job($4, json_build_object('site', $1::text, 'due', $2::text), queue_name => $5, max_attempts => $6, job_key => $4 || ':' || $2, job_key_mode => 'unsafe_dedupe')
     FROM due`,
    [job.site, job.due, job.by, job.task, job.queue, job.maxAttempts],
  );
  return (r.rowCount ?? 0) > 0;
}

/**
 * Forgets due runs queued more than two days ago: a watcher asks for a date only when it falls
 * due, so a date that old is never asked for again, and the table stays the size of two days.
 */
export async function forgetPastDueRuns(pool: pg.Pool): Promise<void> {
  await pool.query(`DELETE FROM xjwatch_queued_runs WHERE queued_at < now() - interval '2 days'`);
}

/** Ends as interrupted the runs of processes gone (run-records.ts): a watcher's at its start and now and then, in case a death was seen before all of its connections had gone. */
export async function endDeadRuns(pool: pg.Pool): Promise<number> {
  try {
    return (await pool.query(ABANDONED_RUNS_PG, [new Date().toISOString()])).rowCount ?? 0;
  } catch (e) {
    // a catalogue not made yet, or older than schema step 12: no run of it can be a dead one's
    if (['42P01', '42703'].includes((e as { code?: string }).code ?? '')) return 0;
    throw e;
  }
}

/**
 * A worker pool's sign of life: a session lock on its id, held by a connection of its own for
 * as long as the process lives. Killed, crashed or cut off, the connection goes and the lock with it.
 */
export async function holdWorkerLock(client: pg.PoolClient, poolId: string): Promise<void> {
  await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [poolId]);
}

/**
 * Frees the jobs and host queues of dead workers, for the living to take: a pool is dead when its
 * lock can be taken. Locks younger than 5 s are left alone (a pool takes its lock just after it
 * starts), and their runs end as interrupted. Returns the dead pools' ids.
 */
export async function freeDeadWorkersJobs(pool: pg.Pool): Promise<string[]> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const { rows } = await c.query<{ dead: string[] | null }>(
      `SELECT array_agg(locked_by) AS dead FROM (
         SELECT locked_by FROM graphile_worker._private_jobs WHERE locked_by IS NOT NULL AND locked_at < now() - interval '5 seconds'
         UNION SELECT locked_by FROM graphile_worker._private_job_queues WHERE locked_by IS NOT NULL AND locked_at < now() - interval '5 seconds'
       ) l WHERE pg_try_advisory_xact_lock(hashtextextended(locked_by, 0))`,
    );
    const dead = rows[0]?.dead ?? [];
    if (dead.length) {
      await c.query('SELECT graphile_worker.force_unlock_workers($1::text[])', [dead]);
      // an idle worker wakes at once rather than at its next poll
      await c.query(`SELECT pg_notify('jobs:insert', '{"r":0,"count":1}')`);
    }
    await c.query('COMMIT');
    // their runs too: status would show them running for ever
    if (dead.length) await endDeadRuns(pool);
    return dead;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}
