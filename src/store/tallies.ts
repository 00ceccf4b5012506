import type { Db } from './db-type.js';

/** What a series of runs recorded, counted from the catalogue: the facts a summary may state. */
export interface Tallies {
  /** distinct pages captured, by kind */
  postings: number;
  attachments: number;
  /** HTTP exchanges recorded, and those made by Chromium */
  fetches: number;
  browserFetches: number;
  /** per site: exchanges by the browser, and plain-HTTP answers 200 */
  bySite: Record<string, { browser: number; http200: number; postings: number }>;
  /** pictures made (a PNG kept), and attempts that failed */
  pictures: number;
  pictureProblems: string[];
  warcFiles: number;
}

/** The runs after `afterRunId` (0: all of them). */
export function tallies(db: Db, afterRunId: number): Tallies {
  const one = (sql: string) => (db.prepare(sql).get(afterRunId) as { n: number }).n;
  const bySite: Tallies['bySite'] = {};
  const site = (id: string) => (bySite[id] ??= { browser: 0, http200: 0, postings: 0 });
  for (const r of db.prepare(`SELECT site_id AS s, sum(CASE WHEN via = 'browser' THEN 1 ELSE 0 END) AS b, sum(CASE WHEN via = 'http' AND status = 200 THEN 1 ELSE 0 END) AS h FROM fetches WHERE run_id > ? AND site_id IS NOT NULL GROUP BY site_id`).all(afterRunId) as { s: string; b: number; h: number }[]) {
    Object.assign(site(r.s), { browser: r.b, http200: r.h });
  }
  for (const r of db.prepare(`SELECT p.site_id AS s, count(DISTINCT p.id) AS n FROM captures c JOIN pages p ON p.id = c.page_id WHERE c.run_id > ? AND p.kind = 'posting' GROUP BY p.site_id`).all(afterRunId) as { s: string; n: number }[]) {
    site(r.s).postings = r.n;
  }
  return {
    postings: one(`SELECT count(DISTINCT c.page_id) AS n FROM captures c JOIN pages p ON p.id = c.page_id WHERE c.run_id > ? AND p.kind = 'posting'`),
    attachments: one(`SELECT count(DISTINCT c.page_id) AS n FROM captures c JOIN pages p ON p.id = c.page_id WHERE c.run_id > ? AND p.kind = 'attachment'`),
    fetches: one(`SELECT count(*) AS n FROM fetches WHERE run_id > ?`),
    browserFetches: one(`SELECT count(*) AS n FROM fetches WHERE run_id > ? AND via = 'browser'`),
    bySite,
    pictures: one(`SELECT count(*) AS n FROM renderings WHERE run_id > ? AND png_sha256 IS NOT NULL`),
    pictureProblems: (db.prepare(`SELECT DISTINCT problem AS p FROM renderings WHERE run_id > ? AND problem IS NOT NULL LIMIT 5`).all(afterRunId) as { p: string }[]).map((r) => r.p),
    warcFiles: one(`SELECT count(DISTINCT warc_file) AS n FROM fetches WHERE run_id > ?`),
  };
}

/** The newest run's id (0 in a new catalogue): what a series of runs starting now comes after. */
export function lastRunId(db: Db): number {
  return (db.prepare(`SELECT coalesce(max(id), 0) AS n FROM runs`).get() as { n: number }).n;
}
