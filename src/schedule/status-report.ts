import { existsSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../config/settings.js';
import { openOperatorProblems } from '../store/operator-store.js';
import { outboxStatus, siteStatus } from '../store/status-reads.js';
import type { Db } from '../store/db.js';
import { WatchStore } from '../store/watch-store.js';
import { processAlive } from '../store/writer-lock.js';
import { isDue, nextCheckAt } from './revisit.js';
import type { WatchState } from './watcher.js';

/**
 * What the catalogue and the watcher's watch.json say now — per site its last run, next run, pages
 * due, open suspicions and trouble streak; the outbox; the operator's open problems; the watcher's
 * process (running or not: a pid that is gone is said to be gone), memory and the disk. Shared by
 * `xjwatch status` and the web view.
 */
export function statusReport(dataDir: string, db: Db, settings: Pick<Settings, 'revisit'>) {
  const watch = readWatchState(join(dataDir, 'watch.json'));
  const store = new WatchStore(db);
  const now = new Date();
  const sites = siteStatus(db).map((s) => {
    const postings = store.postingsToCheck(s.id).map((p) => ({ ...p, has_hits: Boolean(p.has_hits), pinned: Boolean(p.pinned) }));
    const due = postings.filter((p) => isDue(p, settings.revisit, now)).length;
    // when the next of those not due yet will be (the due ones are counted above)
    const nextDue = postings.map((p) => nextCheckAt(p, settings.revisit, now).toISOString()).filter((t) => t > now.toISOString()).sort()[0] ?? null;
    const summary = s.last_run?.summary ? (JSON.parse(s.last_run.summary) as { sites?: { site: string; newPostings: number; postingsSeen: number; failures: unknown[]; unreachable: boolean }[] }) : undefined;
    const mine = summary?.sites?.find((o) => o.site === s.id);
    const w = watch?.sites.find((x) => x.id === s.id);
    return {
      id: s.id,
      name: s.name,
      last_run: s.last_run
        ? { id: s.last_run.id, command: s.last_run.command, started_at: s.last_run.started_at, finished_at: s.last_run.finished_at, status: s.last_run.status, ...(mine ? { new_postings: mine.newPostings, postings_seen: mine.postingsSeen, failures: mine.failures.length, unreachable: mine.unreachable } : {}) }
        : null,
      next_run: watch?.alive ? (w?.next_run ?? null) : null,
      running_since: watch?.alive ? (w?.running_since ?? null) : null,
      postings: s.postings,
      due_now: due,
      next_due: nextDue,
      suspected: s.suspected,
      deleted: s.deleted,
      trouble: s.reported,
      trouble_since: s.reported_at,
      trouble_streak: s.trouble_streak,
    };
  });
  const outbox = outboxStatus(db);
  const operator = openOperatorProblems(db).map((p) => ({ problem: p.problem, subject: p.subject, site: p.site_id, since: p.since, raised_at: p.raised_at, summary: p.summary }));
  const disk = diskOf(dataDir);
  const watcher = watch ? { pid: watch.pid, running: watch.alive, started_at: watch.started_at, updated_at: watch.updated_at, rss_mb: Math.round(watch.rss_bytes / 1048576), ...(watch.stopped_at ? { stopped_at: watch.stopped_at } : {}) } : null;
  return { watcher, sites, outbox, operator, disk };
}

export type StatusReport = ReturnType<typeof statusReport>;

function readWatchState(path: string): (WatchState & { alive: boolean; stopped_at?: string }) | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as WatchState & { stopped_at?: string };
    return { ...s, alive: !s.stopped_at && processAlive(s.pid) };
  } catch {
    return undefined;
  }
}

function diskOf(dataDir: string): { free_mb: number; catalogue_mb: number } {
  const fs = statfsSync(dataDir);
  const db = join(dataDir, 'xjwatch.db');
  return { free_mb: Math.round((fs.bavail * fs.bsize) / 1048576), catalogue_mb: existsSync(db) ? Math.round((statSync(db).size / 1048576) * 10) / 10 : 0 };
}
