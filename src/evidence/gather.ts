import type { Db } from '../store/db.js';

export interface FetchRow {
  id: number;
  run_id: number;
  exchange_id: string;
  purpose: string | null;
  via: string;
  task_url: string | null;
  url: string;
  method: string;
  at: string;
  status: number | null;
  ip: string | null;
  content_type: string | null;
  body_sha256: string | null;
  body_size: number | null;
  truncated: string | null;
  location: string | null;
  error_kind: string | null;
  error: string | null;
  warc_file: string;
  warc_offset: number;
  warc_length: number;
  request_offset: number | null;
  request_length: number | null;
}

export interface CaptureFull {
  id: number;
  fetch_id: number;
  at: string;
  final_url: string;
  status: number;
  body_sha256: string;
  body_size: number;
  content_type: string | null;
  charset: string | null;
  title: string | null;
  published: string | null;
  text: string | null;
  text_sha256: string | null;
}

export interface ControlFetch {
  url: string;
  fetch: number | null;
  answer: string;
}

export interface CheckFull {
  id: number;
  run_id: number;
  at: string;
  fetch_id: number | null;
  capture_id: number | null;
  outcome: string;
  reason: string | null;
  status: number | null;
  final_url: string | null;
  counted: number;
  detail: string | null;
  controls: { healthy?: boolean; home?: string; sibling?: string; not_found?: string; site_trouble?: boolean; fetches?: Record<string, ControlFetch> } | null;
}

export interface RenderingFull {
  id: number;
  at: string;
  what: 'capture' | 'present';
  capture_id: number | null;
  png_sha256: string | null;
  pdf_sha256: string | null;
  problem: string | null;
}

export interface PageFacts {
  id: number;
  url: string;
  site_id: string;
  kind: string;
  title: string | null;
  published: string | null;
  first_seen_at: string;
  reported: string | null;
  reported_at: string | null;
  fail_reason: string | null;
  fail_count: number;
  delisted_at: string | null;
}

/** Everything the catalogue knows of one page, for a bundle. */
export interface PageEvidence {
  page: PageFacts;
  siteName: string | null;
  siteHome: string | null;
  captures: CaptureFull[];
  checks: CheckFull[];
  renderings: RenderingFull[];
  hits: Map<number, { term: string; count: number; snippet: string }[]>;
  listings: { list_url: string; first_seen_at: string; last_seen_at: string }[];
  attachments: { name: string | null; evidence: PageEvidence }[];
  /** every exchange the bundle must carry: captures, checks, their redirect hops, the controls */
  fetches: Map<number, FetchRow>;
}

/** Collects a page's evidence, or undefined for a URL never captured or checked. */
export function gather(db: Db, url: string, depth = 0): PageEvidence | undefined {
  const page = db.prepare(`SELECT id, url, site_id, kind, title, published, first_seen_at, reported, reported_at, fail_reason, fail_count, delisted_at FROM pages WHERE url = ?`).get(url) as PageFacts | undefined;
  if (!page) return undefined;
  const site = db.prepare(`SELECT name, home FROM sites WHERE id = ?`).get(page.site_id) as { name: string; home: string } | undefined;
  const captures = db.prepare(`SELECT id, fetch_id, at, final_url, status, body_sha256, body_size, content_type, charset, title, published, text, text_sha256 FROM captures WHERE page_id = ? ORDER BY id`).all(page.id) as CaptureFull[];
  const checks = (db.prepare(`SELECT id, run_id, at, fetch_id, capture_id, outcome, reason, status, final_url, counted, detail, controls FROM checks WHERE page_id = ? ORDER BY id`).all(page.id) as (Omit<CheckFull, 'controls'> & { controls: string | null })[]).map(
    (c) => ({ ...c, controls: c.controls ? (JSON.parse(c.controls) as CheckFull['controls']) : null }),
  );
  const renderings = db.prepare(`SELECT id, at, what, capture_id, png_sha256, pdf_sha256, problem FROM renderings WHERE page_id = ? ORDER BY id`).all(page.id) as RenderingFull[];
  const hits = new Map<number, { term: string; count: number; snippet: string }[]>();
  const hitStmt = db.prepare(`SELECT term, count, snippet FROM term_hits WHERE capture_id = ? ORDER BY count DESC, term`);
  for (const c of captures) hits.set(c.id, hitStmt.all(c.id) as { term: string; count: number; snippet: string }[]);
  const listings = db.prepare(`SELECT list_url, first_seen_at, last_seen_at FROM listings WHERE page_id = ? ORDER BY first_seen_at`).all(page.id) as PageEvidence['listings'];

  const fetchStmt = db.prepare(`SELECT * FROM fetches WHERE id = ?`);
  const hopsStmt = db.prepare(`SELECT * FROM fetches WHERE run_id = ? AND task_url = ? AND via = 'http' ORDER BY id`);
  const fetches = new Map<number, FetchRow>();
  const add = (id: number | null | undefined) => {
    if (!id || fetches.has(id)) return;
    const f = fetchStmt.get(id) as FetchRow | undefined;
    if (!f) return;
    fetches.set(f.id, f);
    // the redirect hops that led to it, made for the same task in the same run
    if (f.task_url) for (const h of hopsStmt.all(f.run_id, f.task_url) as FetchRow[]) fetches.set(h.id, h);
  };
  for (const c of captures) add(c.fetch_id);
  // the live sibling is another posting rechecked in the same run: its answer is a control too
  const siblingStmt = db.prepare(`SELECT id FROM fetches WHERE run_id = ? AND url = ? AND via = 'http' AND status BETWEEN 200 AND 299 ORDER BY id LIMIT 1`);
  for (const c of checks) {
    add(c.fetch_id);
    for (const ctl of Object.values(c.controls?.fetches ?? {})) add(ctl.fetch);
    const sibling = /^(https?:\/\/\S+?):\s/.exec(c.controls?.sibling ?? '')?.[1];
    if (sibling) add((siblingStmt.get(c.run_id, sibling) as { id: number } | undefined)?.id);
  }

  const attachments: PageEvidence['attachments'] = [];
  if (depth === 0) {
    const rows = db.prepare(`SELECT p.url, l.name FROM attachment_links l JOIN pages p ON p.id = l.attachment_id WHERE l.posting_id = ? ORDER BY p.id`).all(page.id) as { url: string; name: string | null }[];
    for (const r of rows) {
      const ev = gather(db, r.url, depth + 1);
      if (ev) attachments.push({ name: r.name, evidence: ev });
    }
  }
  return { page, siteName: site?.name ?? null, siteHome: site?.home ?? null, captures, checks, renderings, hits, listings, attachments, fetches };
}
