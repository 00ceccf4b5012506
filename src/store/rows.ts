/**
 * One type per catalogue table, a row as SQLite returns it (snake_case columns; JSON columns as
 * their text). The schema is in migrations.ts and custody.ts; a query that reads fewer columns
 * returns a Pick of these, so a renamed column breaks the build, not a run.
 */

export interface RunRecord {
  id: number;
  started_at: string;
  finished_at: string | null;
  command: string;
  status: string;
  /** JSON */
  summary: string | null;
  /** the process that ran it (store/run-holder.ts); null for runs made before schema step 12 */
  holder: string | null;
}

export interface SiteRecord {
  id: string;
  name: string;
  home: string;
  source: string;
  first_run_id: number | null;
  last_run_id: number | null;
  reported: string | null;
  reported_at: string | null;
}

export interface PageRecord {
  id: number;
  url: string;
  site_id: string;
  kind: 'list' | 'posting' | 'attachment';
  parent_id: number | null;
  first_seen_at: string;
  last_seen_at: string;
  state: string;
  state_since: string | null;
  last_capture_id: number | null;
  title: string | null;
  published: string | null;
  reported: string | null;
  reported_at: string | null;
  fail_reason: string | null;
  fail_count: number;
  fail_since: string | null;
  delisted_at: string | null;
  last_checked_at: string | null;
  /** 1 while the site file pins it (a cited page) */
  pinned: number;
}

/** One HTTP exchange and where its records sit in the WARC files (FetchInput is what the crawl writes). */
export interface FetchRecord {
  id: number;
  run_id: number;
  exchange_id: string;
  site_id: string | null;
  purpose: string | null;
  via: string;
  task_url: string | null;
  url: string;
  method: string;
  at: string;
  duration_ms: number | null;
  status: number | null;
  ip: string | null;
  content_type: string | null;
  body_sha256: string | null;
  body_size: number | null;
  wire_bytes: number | null;
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

export interface CaptureRecord {
  id: number;
  page_id: number;
  fetch_id: number;
  run_id: number;
  at: string;
  final_url: string;
  status: number;
  body_sha256: string;
  body_size: number;
  content_type: string | null;
  charset: string | null;
  charset_note: string | null;
  title: string | null;
  published: string | null;
  date_source: string | null;
  text: string | null;
  text_sha256: string | null;
  compare_sha256: string | null;
  text_chars: number | null;
  etag: string | null;
  last_modified: string | null;
  /** JSON */
  problems: string | null;
}

export interface TermHitRecord {
  capture_id: number;
  term: string;
  count: number;
  snippet: string;
  /** JSON */
  forms: string;
}

export interface AttachmentLinkRecord {
  posting_id: number;
  attachment_id: number;
  name: string | null;
}

export interface RenderingRecord {
  id: number;
  page_id: number;
  capture_id: number | null;
  run_id: number;
  at: string;
  what: 'capture' | 'present';
  png_sha256: string | null;
  pdf_sha256: string | null;
  problem: string | null;
}

export interface RequisiteRecord {
  id: number;
  capture_id: number;
  url: string;
  fetch_id: number;
}

/** A capture whose bytes came from an archive (schema step 7). */
export interface PriorCaptureRecord {
  id: number;
  capture_id: number;
  archive: string;
  archive_url: string;
  archived_at: string;
  original_url: string;
  archive_status: number | null;
  digest: string | null;
  lookup_fetch_id: number | null;
}

export interface ListingRecord {
  page_id: number;
  list_url: string;
  page_url: string | null;
  first_seen_at: string;
  last_seen_at: string;
  last_run_id: number;
}

export interface CheckRecord {
  id: number;
  run_id: number;
  page_id: number;
  at: string;
  fetch_id: number | null;
  capture_id: number | null;
  outcome: string;
  reason: string | null;
  status: number | null;
  final_url: string | null;
  /** JSON */
  controls: string | null;
  /** 0 or 1 */
  counted: number;
  detail: string | null;
}

export interface EventRecord {
  id: number;
  run_id: number | null;
  kind: string;
  site_id: string | null;
  page_id: number | null;
  url: string | null;
  at: string;
  capture_id: number | null;
  /** JSON */
  body: string;
}

export interface MailRecord {
  id: number;
  message_id: string;
  recipient: string;
  subject: string;
  created_at: string;
  raw_sha256: string | null;
  state: 'queued' | 'sent';
  attempts: number;
  next_try_at: string;
  last_error: string | null;
  sent_at: string | null;
  sent_via: string | null;
  lease_pid: number | null;
  lease_host: string | null;
  lease_until: string | null;
}

export interface AlertRecord {
  id: number;
  event_id: number;
  recipient: string;
  send: 'immediate' | 'daily' | 'weekly';
  due_at: string;
  mail_id: number | null;
}

export interface WarcFileRecord {
  id: number;
  run_id: number | null;
  file: string;
  sha256: string;
  size: number;
  sealed_at: string;
}

/** An entry of the hash-linked custody log (`record` is the row's canonical JSON). */
export interface CustodyRecord {
  seq: number;
  tbl: string;
  row_id: number;
  record: string;
  prev: string;
  hash: string;
}

/** An operator problem reported and not cleared yet: the row goes when its clearing is reported. */
export interface OperatorProblemRecord {
  problem: string;
  /** what it is about, as the problem keys it: a site id, a list URL, "data-dir", "outbox" */
  key: string;
  subject: string;
  site_id: string | null;
  since: string;
  raised_at: string;
  event_id: number | null;
  summary: string;
}

/** An evidence bundle made (schema step 11): its .zip is the blob zip_sha256. */
export interface BundleRecord {
  id: number;
  name: string;
  made_at: string;
  host: string;
  zip_sha256: string;
  zip_size: number;
  files: number;
}

/** A tracked form too short for trigrams, and when every text stored by then was indexed for it (schema step 13). */
export interface ShortFormRecord {
  form: string;
  indexed_at: string;
}

/** A searchable text (`texts.rowid`, its capture's id) that holds a listed short form. */
export interface ShortHitRecord {
  form: string;
  capture_id: number;
}
