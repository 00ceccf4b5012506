import type { Db } from './db.js';
import { pgJsonArray, sqlFor } from './dialect.js';

// What the operator's checks measure of a site, from the catalogue.

/** When the site's newest posting was first seen, and every posting's own date. */
export function postingHistory(db: Db, siteId: string): { lastNewAt: string | null; published: (string | null)[] } {
  const last = db.prepare(`SELECT max(first_seen_at) AS t FROM pages WHERE site_id = ? AND kind = 'posting'`).get(siteId) as { t: string | null };
  const dates = db.prepare(`SELECT published FROM pages WHERE site_id = ? AND kind = 'posting' AND published IS NOT NULL`).all(siteId) as { published: string }[];
  return { lastNewAt: last.t, published: dates.map((d) => d.published) };
}

/**
 * How the site fared as a whole in its finished runs before `beforeRunId`, newest first (from the
 * runs' summaries: each names its sites' outcomes). A run whose outcome says no `trouble` either
 * way (`check`, an ad hoc URL, an interrupted pass, a run from before outcomes said it) is left out.
 */
export function siteRunTroubles(db: Db, siteId: string, beforeRunId: number, limit: number): { run_id: number; started_at: string; trouble: string | null; detail: string | null }[] {
  const rows = db
    .prepare(
      sqlFor(db, {
        sqlite: `SELECT r.id AS run_id, r.started_at, json_type(j.value, '$.trouble') AS t, json_extract(j.value, '$.trouble.kind') AS kind, json_extract(j.value, '$.trouble.detail') AS detail
       FROM runs r, json_each(r.summary, '$.sites') j
       WHERE r.id < ? AND r.summary IS NOT NULL AND r.status != 'interrupted' AND json_extract(j.value, '$.site') = ? AND json_type(j.value, '$.trouble') IN ('object', 'null')
       ORDER BY r.id DESC LIMIT ?`,
        pg: `SELECT r.id AS run_id, r.started_at, json_typeof(j.value -> 'trouble') AS t, j.value #>> '{trouble,kind}' AS kind, j.value #>> '{trouble,detail}' AS detail
       FROM runs r, ${pgJsonArray("r.summary::json -> 'sites'")} j
       WHERE r.id < ? AND r.summary IS NOT NULL AND r.status != 'interrupted' AND j.value ->> 'site' = ? AND json_typeof(j.value -> 'trouble') IN ('object', 'null')
       ORDER BY r.id DESC LIMIT ?`,
      }),
    )
    .all(beforeRunId, siteId, limit) as { run_id: number; started_at: string; t: string; kind: string | null; detail: string | null }[];
  return rows.map((r) => ({ run_id: r.run_id, started_at: r.started_at, trouble: r.t === 'object' ? (r.kind ?? 'unreachable') : null, detail: r.t === 'object' ? r.detail : null }));
}
