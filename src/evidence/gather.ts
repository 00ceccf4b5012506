import type { ChangedEvent } from '../detect/events.js';
import type { Db } from '../store/db.js';
import { EvidenceReads, type CaptureFacts, type CheckFacts, type HitFacts, type ListingFacts, type PageFacts, type RenderingFacts } from '../store/evidence-reads.js';
import type { FetchRecord } from '../store/rows.js';

export interface ControlFetch {
  url: string;
  fetch: number | null;
  answer: string;
}

/** A check with its controls read from their JSON. */
export type CheckFull = Omit<CheckFacts, 'controls'> & {
  controls: { healthy?: boolean; home?: string; sibling?: string; not_found?: string; site_trouble?: boolean; fetches?: Record<string, ControlFetch> } | null;
};

/** Everything the catalogue knows of one page, for a bundle. */
export interface PageEvidence {
  page: PageFacts;
  siteName: string | null;
  siteHome: string | null;
  captures: CaptureFacts[];
  checks: CheckFull[];
  renderings: RenderingFacts[];
  hits: Map<number, HitFacts[]>;
  listings: ListingFacts[];
  attachments: { name: string | null; evidence: PageEvidence }[];
  /** the changes reported of it, oldest first (an attachment's name rows and cells) */
  changes: { at: string; event: ChangedEvent }[];
  /** every exchange the bundle must carry: captures, checks, their redirect hops, the controls */
  fetches: Map<number, FetchRecord>;
}

/** Collects a page's evidence, or undefined for a URL never captured or checked. */
export function gather(db: Db, url: string): PageEvidence | undefined {
  return gatherWith(new EvidenceReads(db), url, 0);
}

function gatherWith(reads: EvidenceReads, url: string, depth: number): PageEvidence | undefined {
  const page = reads.page(url);
  if (!page) return undefined;
  const site = reads.site(page.site_id);
  const captures = reads.captures(page.id);
  const checks = reads.checks(page.id).map((c) => ({ ...c, controls: c.controls ? (JSON.parse(c.controls) as CheckFull['controls']) : null }));
  const renderings = reads.renderings(page.id);
  const hits = new Map<number, HitFacts[]>();
  for (const c of captures) hits.set(c.id, reads.hits(c.id));
  const listings = reads.listings(page.id);

  const fetches = new Map<number, FetchRecord>();
  const add = (id: number | null | undefined) => {
    if (!id || fetches.has(id)) return;
    const f = reads.fetch(id);
    if (!f) return;
    fetches.set(f.id, f);
    // the redirect hops that led to it, made for the same task in the same run
    if (f.task_url) for (const h of reads.hops(f.run_id, f.task_url)) fetches.set(h.id, h);
  };
  for (const c of captures) {
    add(c.fetch_id);
    // a third-party capture: the archive's index answer it was chosen from
    add(c.third_party?.lookup_fetch_id);
    // what its pictures were replayed from, so that the bundle's WARC replays the same way
    for (const id of reads.requisiteFetches(c.id)) add(id);
  }
  // the live sibling is another posting rechecked in the same run: its answer is a control too
  for (const c of checks) {
    add(c.fetch_id);
    for (const ctl of Object.values(c.controls?.fetches ?? {})) add(ctl.fetch);
    const sibling = /^(https?:\/\/\S+?):\s/.exec(c.controls?.sibling ?? '')?.[1];
    if (sibling) add(reads.answerIn(c.run_id, sibling));
  }

  const attachments: PageEvidence['attachments'] = [];
  if (depth === 0) {
    for (const r of reads.attachments(page.id)) {
      const ev = gatherWith(reads, r.url, depth + 1);
      if (ev) attachments.push({ name: r.name, evidence: ev });
    }
  }
  const changes = reads.changes(page.id).map((c) => ({ at: c.at, event: JSON.parse(c.body) as ChangedEvent }));
  return { page, siteName: site?.name ?? null, siteHome: site?.home ?? null, captures, checks, renderings, hits, listings, attachments, changes, fetches };
}
