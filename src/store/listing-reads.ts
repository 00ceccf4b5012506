import type { Db } from './db.js';

/** What the catalogue knows of a list page's past, for judging it empty now. */
export interface ListHistory {
  /** when the list last yielded a posting link (null: never) */
  lastYieldedAt: string | null;
  /** a site_broken event was written for it since then (or ever, when it never yielded) */
  reportedSince: boolean;
}

export function listHistory(db: Db, listUrl: string): ListHistory {
  const last = db.prepare(`SELECT max(last_seen_at) AS t FROM listings WHERE list_url = ?`).get(listUrl) as { t: string | null };
  const reported = db.prepare(`SELECT 1 FROM events WHERE kind = 'site_broken' AND url = ? AND at > ?`).get(listUrl, last.t ?? '');
  return { lastYieldedAt: last.t, reportedSince: Boolean(reported) };
}
