import { PreparedStatements, type Db, type Statement } from './db.js';
import type { CaptureRecord, PriorCaptureRecord, CheckRecord, CustodyRecord, FetchRecord, ListingRecord, PageRecord, RenderingRecord, SiteRecord, TermHitRecord, WarcFileRecord } from './rows.js';

export type PageFacts = Pick<PageRecord, 'id' | 'url' | 'site_id' | 'kind' | 'title' | 'published' | 'first_seen_at' | 'reported' | 'reported_at' | 'fail_reason' | 'fail_count' | 'delisted_at'>;
export type CaptureFacts = Pick<CaptureRecord, 'id' | 'fetch_id' | 'at' | 'final_url' | 'status' | 'body_sha256' | 'body_size' | 'content_type' | 'charset' | 'title' | 'published' | 'text' | 'text_sha256'> & {
  /** set for a third-party capture (schema step 7): the bytes are the archive's copy */
  third_party: ThirdPartyFacts | null;
};
export type ThirdPartyFacts = Pick<PriorCaptureRecord, 'id' | 'archive' | 'archive_url' | 'archived_at' | 'original_url' | 'digest' | 'lookup_fetch_id'>;
export type CheckFacts = Pick<CheckRecord, 'id' | 'run_id' | 'at' | 'fetch_id' | 'capture_id' | 'outcome' | 'reason' | 'status' | 'final_url' | 'counted' | 'detail' | 'controls'>;
export type RenderingFacts = Pick<RenderingRecord, 'id' | 'at' | 'what' | 'capture_id' | 'png_sha256' | 'pdf_sha256' | 'problem'>;
export type HitFacts = Pick<TermHitRecord, 'term' | 'count' | 'snippet'> & { places: string[] };
export type ListingFacts = Pick<ListingRecord, 'list_url' | 'first_seen_at' | 'last_seen_at'>;

/** What an evidence bundle reads of one page, each list oldest first. */
export class EvidenceReads {
  private readonly prepared: PreparedStatements;

  constructor(db: Db) {
    this.prepared = PreparedStatements.of(db);
  }

  private stmt(sql: string): Statement {
    return this.prepared.get(sql);
  }

  page(url: string): PageFacts | undefined {
    return this.stmt(`SELECT id, url, site_id, kind, title, published, first_seen_at, reported, reported_at, fail_reason, fail_count, delisted_at FROM pages WHERE url = ?`).get(url) as PageFacts | undefined;
  }

  site(id: string): Pick<SiteRecord, 'name' | 'home'> | undefined {
    return this.stmt(`SELECT name, home FROM sites WHERE id = ?`).get(id) as Pick<SiteRecord, 'name' | 'home'> | undefined;
  }

  captures(pageId: number): CaptureFacts[] {
    const rows = this.stmt(
      `SELECT c.id, c.fetch_id, c.at, c.final_url, c.status, c.body_sha256, c.body_size, c.content_type, c.charset, c.title, c.published, c.text, c.text_sha256,
              pc.id AS tp_id, pc.archive AS tp_archive, pc.archive_url AS tp_archive_url, pc.archived_at AS tp_archived_at, pc.original_url AS tp_original_url, pc.digest AS tp_digest, pc.lookup_fetch_id AS tp_lookup_fetch_id
       FROM captures c LEFT JOIN prior_captures pc ON pc.capture_id = c.id WHERE c.page_id = ? ORDER BY c.id`,
    ).all(pageId) as (Omit<CaptureFacts, 'third_party'> & Record<string, unknown>)[];
    return rows.map((r) => {
      const { tp_id, tp_archive, tp_archive_url, tp_archived_at, tp_original_url, tp_digest, tp_lookup_fetch_id, ...c } = r;
      const third_party = tp_id == null ? null : ({ id: tp_id, archive: tp_archive, archive_url: tp_archive_url, archived_at: tp_archived_at, original_url: tp_original_url, digest: tp_digest, lookup_fetch_id: tp_lookup_fetch_id } as ThirdPartyFacts);
      return { ...(c as Omit<CaptureFacts, 'third_party'>), third_party };
    });
  }

  checks(pageId: number): CheckFacts[] {
    return this.stmt(`SELECT id, run_id, at, fetch_id, capture_id, outcome, reason, status, final_url, counted, detail, controls FROM checks WHERE page_id = ? ORDER BY id`).all(pageId) as CheckFacts[];
  }

  renderings(pageId: number): RenderingFacts[] {
    return this.stmt(`SELECT id, at, what, capture_id, png_sha256, pdf_sha256, problem FROM renderings WHERE page_id = ? ORDER BY id`).all(pageId) as RenderingFacts[];
  }

  /** Most frequent first. */
  hits(captureId: number): HitFacts[] {
    const rows = this.stmt(`SELECT term, count, snippet, places FROM term_hits WHERE capture_id = ? ORDER BY count DESC, term`).all(captureId) as (Omit<HitFacts, 'places'> & { places: string | null })[];
    return rows.map((r) => ({ ...r, places: r.places ? (JSON.parse(r.places) as string[]) : [] }));
  }

  listings(pageId: number): ListingFacts[] {
    return this.stmt(`SELECT list_url, first_seen_at, last_seen_at FROM listings WHERE page_id = ? ORDER BY first_seen_at`).all(pageId) as ListingFacts[];
  }

  fetch(id: number): FetchRecord | undefined {
    return this.stmt(`SELECT * FROM fetches WHERE id = ?`).get(id) as FetchRecord | undefined;
  }

  /** The HTTP client's fetches for one task of one run: a capture's redirect hops. */
  hops(runId: number, taskUrl: string): FetchRecord[] {
    return this.stmt(`SELECT * FROM fetches WHERE run_id = ? AND task_url = ? AND via = 'http' ORDER BY id`).all(runId, taskUrl) as FetchRecord[];
  }

  /** The exchanges of the stylesheets, images and fonts recorded with a capture for its pictures. */
  requisiteFetches(captureId: number): number[] {
    return (this.stmt(`SELECT fetch_id FROM requisites WHERE capture_id = ? ORDER BY url`).all(captureId) as { fetch_id: number }[]).map((r) => r.fetch_id);
  }

  /** The first normal HTTP answer of `url` in a run (a check's live sibling). */
  answerIn(runId: number, url: string): number | undefined {
    return (this.stmt(`SELECT id FROM fetches WHERE run_id = ? AND url = ? AND via = 'http' AND status BETWEEN 200 AND 299 ORDER BY id LIMIT 1`).get(runId, url) as { id: number } | undefined)?.id;
  }

  /** The changes reported of a page, oldest first: each event's own fields as told. */
  changes(pageId: number): { at: string; body: string }[] {
    return this.stmt(`SELECT at, body FROM events WHERE page_id = ? AND kind = 'changed' ORDER BY id`).all(pageId) as { at: string; body: string }[];
  }

  attachments(postingId: number): { url: string; name: string | null }[] {
    return this.stmt(`SELECT p.url, l.name FROM attachment_links l JOIN pages p ON p.id = l.attachment_id WHERE l.posting_id = ? ORDER BY p.id`).all(postingId) as { url: string; name: string | null }[];
  }
}

/** The custody log's last entry: what a bundle pins. */
export function custodyHead(db: Db): Pick<CustodyRecord, 'seq' | 'hash'> | undefined {
  return db.prepare(`SELECT seq, hash FROM custody ORDER BY seq DESC LIMIT 1`).get() as Pick<CustodyRecord, 'seq' | 'hash'> | undefined;
}

export function warcFileIds(db: Db): Pick<WarcFileRecord, 'id' | 'file'>[] {
  return db.prepare(`SELECT id, file FROM warc_files`).all() as Pick<WarcFileRecord, 'id' | 'file'>[];
}

/**
 * The custody entry of one row, or undefined. Bundles write it as JSON as read, so the column
 * order here is the order of custody.jsonl's keys.
 */
export function custodyEntryOf(db: Db): (tbl: string, rowId: number) => CustodyRecord | undefined {
  const stmt = db.prepare(`SELECT seq, tbl, row_id, prev, hash, record FROM custody WHERE tbl = ? AND row_id = ?`);
  return (tbl, rowId) => stmt.get(tbl, rowId) as CustodyRecord | undefined;
}
