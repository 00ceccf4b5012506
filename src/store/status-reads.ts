import type { Db } from './db.js';
import { pgJsonArray, sqlFor } from './dialect.js';
import type { RunRecord } from './rows.js';

export interface SiteStatusRow {
  id: string;
  name: string;
  /** the site-wide trouble reported and not yet cleared (unreachable, challenge_failed) */
  reported: string | null;
  reported_at: string | null;
  last_run: Pick<RunRecord, 'id' | 'started_at' | 'finished_at' | 'status' | 'summary' | 'command'> | null;
  postings: number;
  suspected: number;
  deleted: number;
  /** runs in a row, up to the last, in which the site was unreachable or blocked */
  trouble_streak: number;
}

/** What `xjwatch status` says of each site the catalogue knows. */
export function siteStatus(db: Db): SiteStatusRow[] {
  const sites = db.prepare(`SELECT id, name, reported, reported_at, last_run_id FROM sites ORDER BY id`).all() as { id: string; name: string; reported: string | null; reported_at: string | null; last_run_id: number | null }[];
  const run = db.prepare(`SELECT id, started_at, finished_at, status, summary, command FROM runs WHERE id = ?`);
  const counts = db.prepare(
    `SELECT count(*) AS postings, sum(CASE WHEN reported = 'suspected_deletion' THEN 1 ELSE 0 END) AS suspected, sum(CASE WHEN reported = 'deleted' THEN 1 ELSE 0 END) AS deleted FROM pages WHERE site_id = ? AND kind = 'posting'`,
  );
  // a site's trouble stays reported until it recovers, so every run of the site that ended since
  // it was reported met it too: that count is the streak (site events themselves come once)
  const since = db.prepare(
    sqlFor(db, {
      sqlite: `SELECT count(*) AS n FROM runs r WHERE r.finished_at >= ? AND r.summary IS NOT NULL
       AND EXISTS (SELECT 1 FROM json_each(r.summary, '$.sites') j WHERE json_extract(j.value, '$.site') = ?)`,
      pg: `SELECT count(*) AS n FROM runs r WHERE r.finished_at >= ? AND r.summary IS NOT NULL
       AND EXISTS (SELECT 1 FROM ${pgJsonArray("r.summary::json -> 'sites'")} j WHERE j.value ->> 'site' = ?)`,
    }),
  );
  return sites.map((s) => {
    const c = counts.get(s.id) as { postings: number; suspected: number | null; deleted: number | null };
    const streak = s.reported && s.reported_at ? (since.get(s.reported_at, s.id) as { n: number }).n : 0;
    return {
      id: s.id,
      name: s.name,
      reported: s.reported,
      reported_at: s.reported_at,
      last_run: s.last_run_id ? ((run.get(s.last_run_id) as SiteStatusRow['last_run']) ?? null) : null,
      postings: c.postings,
      suspected: c.suspected ?? 0,
      deleted: c.deleted ?? 0,
      trouble_streak: streak,
    };
  });
}

/** The outbox at a glance: what waits, since when, and the last trouble. */
export function outboxStatus(db: Db): { queued: number; oldest: string | null; failing: number; attempts: number; last_error: string | null; waiting_alerts: number } {
  const m = db.prepare(`SELECT count(*) AS queued, min(created_at) AS oldest, sum(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS failing, max(attempts) AS attempts FROM mails WHERE state = 'queued'`).get() as { queued: number; oldest: string | null; failing: number | null; attempts: number | null };
  const e = db.prepare(`SELECT last_error FROM mails WHERE state = 'queued' AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1`).get() as { last_error: string } | undefined;
  const a = db.prepare(`SELECT count(*) AS n FROM alerts WHERE mail_id IS NULL`).get() as { n: number };
  return { queued: m.queued, oldest: m.oldest, failing: m.failing ?? 0, attempts: m.attempts ?? 0, last_error: e?.last_error ?? null, waiting_alerts: a.n };
}
