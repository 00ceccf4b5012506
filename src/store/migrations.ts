import { custodyMigration, custodyTriggers } from './custody.js';
import type { Dialect } from './dialect.js';
import { pgDdl } from './pg/schema.js';
import type { Db } from './db-type.js';

/**
 * A schema step: DDL, DDL with tables for the custody log to cover, or code. The DDL is SQLite's;
 * on PostgreSQL the same step runs as pg/schema.ts rewrites it.
 */
export type Migration = string | { sql: string; custody: string[] } | ((db: Db) => void);

/**
 * Schema changes, applied in order inside one transaction each; PRAGMA user_version (SQLite) or
 * xjwatch_schema (PostgreSQL) records how far a catalogue has come. Never edit a released step:
 * add a new one.
 */
export const MIGRATIONS: Migration[] = [
  `
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    command TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'running',
    summary TEXT
  );
  CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    home TEXT NOT NULL,
    source TEXT NOT NULL,
    first_run_id INTEGER,
    last_run_id INTEGER,
    -- the site-wide trouble last reported (unreachable, challenge_failed), until it recovers
    reported TEXT,
    reported_at TEXT
  );
  -- Every URL xjwatch knows: list pages, postings and attachments. state is for detection.
  CREATE TABLE pages (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    site_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('list', 'posting', 'attachment')),
    parent_id INTEGER REFERENCES pages(id),
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'live',
    state_since TEXT,
    last_capture_id INTEGER,
    title TEXT,
    published TEXT,
    -- detection: the last happening reported for this page (suspected_deletion, deleted,
    -- unreachable, challenge_failed) so that each is reported once; the run of same failures
    reported TEXT,
    reported_at TEXT,
    fail_reason TEXT,
    fail_count INTEGER NOT NULL DEFAULT 0,
    fail_since TEXT,
    delisted_at TEXT,
    last_checked_at TEXT
  );
  CREATE INDEX pages_site ON pages(site_id, kind);
  CREATE INDEX pages_parent ON pages(parent_id);
  -- Every HTTP exchange, failed ones included: where its records sit in the WARC files.
  CREATE TABLE fetches (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    exchange_id TEXT NOT NULL UNIQUE,
    site_id TEXT,
    purpose TEXT,
    -- 'browser' when Chromium made the request (challenges, rendering), else the HTTP client
    via TEXT NOT NULL DEFAULT 'http',
    task_url TEXT,
    url TEXT NOT NULL,
    method TEXT NOT NULL,
    at TEXT NOT NULL,
    duration_ms INTEGER,
    status INTEGER,
    ip TEXT,
    content_type TEXT,
    body_sha256 TEXT,
    body_size INTEGER,
    -- bytes of the body as they came over the wire (compressed), for cost accounting
    wire_bytes INTEGER,
    truncated TEXT,
    location TEXT,
    error_kind TEXT,
    error TEXT,
    warc_file TEXT NOT NULL,
    warc_offset INTEGER NOT NULL,
    warc_length INTEGER NOT NULL,
    request_offset INTEGER,
    request_length INTEGER
  );
  CREATE INDEX fetches_url ON fetches(url);
  CREATE INDEX fetches_task ON fetches(task_url);
  -- A page's content as kept at one moment, with what was extracted from it.
  CREATE TABLE captures (
    id INTEGER PRIMARY KEY,
    page_id INTEGER NOT NULL REFERENCES pages(id),
    fetch_id INTEGER NOT NULL REFERENCES fetches(id),
    run_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    final_url TEXT NOT NULL,
    status INTEGER NOT NULL,
    body_sha256 TEXT NOT NULL,
    body_size INTEGER NOT NULL,
    content_type TEXT,
    charset TEXT,
    charset_note TEXT,
    title TEXT,
    published TEXT,
    date_source TEXT,
    -- the extracted text as read; its SHA-256 tells an unchanged text at a glance
    text TEXT,
    text_sha256 TEXT,
    -- SHA-256 of the text as compared for changes (normalised, trivia such as view counters out)
    compare_sha256 TEXT,
    text_chars INTEGER,
    etag TEXT,
    last_modified TEXT,
    problems TEXT
  );
  CREATE INDEX captures_page ON captures(page_id, id);
  CREATE TABLE term_hits (
    capture_id INTEGER NOT NULL REFERENCES captures(id),
    term TEXT NOT NULL,
    count INTEGER NOT NULL,
    snippet TEXT NOT NULL,
    forms TEXT NOT NULL,
    PRIMARY KEY (capture_id, term)
  );
  -- Which postings link which attachments (an attachment can belong to several postings).
  CREATE TABLE attachment_links (
    posting_id INTEGER NOT NULL REFERENCES pages(id),
    attachment_id INTEGER NOT NULL REFERENCES pages(id),
    name TEXT,
    PRIMARY KEY (posting_id, attachment_id)
  );
  -- Pictures of a page as a reader saw it: a full-page PNG and a PDF print, of a kept capture
  -- (its own bytes, rendered in Chromium) or of what the URL answers at the time.
  CREATE TABLE renderings (
    id INTEGER PRIMARY KEY,
    page_id INTEGER NOT NULL REFERENCES pages(id),
    capture_id INTEGER REFERENCES captures(id),
    run_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    what TEXT NOT NULL CHECK (what IN ('capture', 'present')),
    png_sha256 TEXT,
    pdf_sha256 TEXT,
    problem TEXT
  );
  CREATE INDEX renderings_page ON renderings(page_id);
  -- Which list (by its first page's URL) a posting was seen on; "delisted" when a complete
  -- crawl of that list no longer shows it.
  CREATE TABLE listings (
    page_id INTEGER NOT NULL REFERENCES pages(id),
    list_url TEXT NOT NULL,
    page_url TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    last_run_id INTEGER NOT NULL,
    PRIMARY KEY (page_id, list_url)
  );
  -- Every recheck of a known page: what its URL answered, the verdict, the controls made with it.
  CREATE TABLE checks (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    page_id INTEGER NOT NULL REFERENCES pages(id),
    at TEXT NOT NULL,
    fetch_id INTEGER REFERENCES fetches(id),
    capture_id INTEGER REFERENCES captures(id),
    outcome TEXT NOT NULL,
    reason TEXT,
    status INTEGER,
    final_url TEXT,
    controls TEXT,
    counted INTEGER NOT NULL DEFAULT 0,
    detail TEXT
  );
  CREATE INDEX checks_page ON checks(page_id, id);
  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    run_id INTEGER,
    kind TEXT NOT NULL,
    site_id TEXT,
    page_id INTEGER,
    url TEXT,
    at TEXT NOT NULL,
    capture_id INTEGER,
    body TEXT NOT NULL
  );
  CREATE INDEX events_at ON events(at);
  CREATE INDEX events_page ON events(page_id);
  -- Normalised text of postings and attachments for search; rowid is the capture id.
  CREATE VIRTUAL TABLE texts USING fts5(title, body, tokenize = 'trigram');
  `,
  // 2: the hash-linked custody log and the WARC files' seals
  custodyMigration,
  // 3: the outbox. An alert (an event for a recipient) is queued in the event's transaction; a
  // mail gathers one alert (immediate) or many (digest), gets its Message-ID once, is rendered
  // once (its bytes kept as a blob) and is sent until the server takes it.
  `
  CREATE TABLE mails (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at TEXT NOT NULL,
    raw_sha256 TEXT,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try_at TEXT NOT NULL,
    last_error TEXT,
    sent_at TEXT,
    sent_via TEXT,
    -- the process sending it now, and until when: two runs never send one mail at once
    lease_pid INTEGER,
    lease_until TEXT
  );
  CREATE INDEX mails_state ON mails(state, next_try_at);
  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    recipient TEXT NOT NULL,
    send TEXT NOT NULL CHECK (send IN ('immediate', 'daily', 'weekly')),
    due_at TEXT NOT NULL,
    mail_id INTEGER REFERENCES mails(id),
    UNIQUE (event_id, recipient)
  );
  CREATE INDEX alerts_pending ON alerts(mail_id, due_at);
  `,
  // 4: a capture's page requisites (stylesheets, images, fonts), fetched when it is to be pictured
  // and recorded in the WARC like any exchange: a rendering replays these and nothing else. In the
  // custody log, since which files a picture was made from is part of the evidence.
  {
    sql: `
    CREATE TABLE requisites (
      id INTEGER PRIMARY KEY,
      capture_id INTEGER NOT NULL REFERENCES captures(id),
      url TEXT NOT NULL,
      fetch_id INTEGER NOT NULL REFERENCES fetches(id),
      UNIQUE (capture_id, url)
    );
    `,
    custody: ['requisites'],
  },
  // 5: operator problems reported and not cleared yet, so that each is reported once, once more
  // when it clears, and not again after a restart. Not in the custody log: the events that report
  // them are, and this is only where they stand.
  `
  CREATE TABLE operator_problems (
    problem TEXT NOT NULL,
    key TEXT NOT NULL,
    subject TEXT NOT NULL,
    site_id TEXT,
    since TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    event_id INTEGER REFERENCES events(id),
    summary TEXT NOT NULL,
    PRIMARY KEY (problem, key)
  );
  `,
  // 6: pages a site file pins (cited pages): rechecked on the shortest interval. Set from the site
  // file at each run, so `status` and `crawl --recheck due` agree with the watcher.
  `ALTER TABLE pages ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;`,
  // 7: third-party captures (issue 14, item 5): a capture whose bytes xjwatch fetched from an
  // archive (the Internet Archive's replay of what it saw), not from the page's own server. The
  // capture row stays as every capture is (its fetch is the archive exchange, in the WARC); this
  // row says it is third-party, where from and when the archive saw the page. In the custody log:
  // which captures are the archive's is evidence.
  {
    sql: `
    CREATE TABLE prior_captures (
      id INTEGER PRIMARY KEY,
      capture_id INTEGER NOT NULL UNIQUE REFERENCES captures(id),
      archive TEXT NOT NULL,
      -- the replay address fetched (…/web/<timestamp>id_/<original>)
      archive_url TEXT NOT NULL,
      -- the archive's own timestamp (ISO): when the archive saw the page
      archived_at TEXT NOT NULL,
      original_url TEXT NOT NULL,
      archive_status INTEGER,
      digest TEXT,
      -- the exchange of the index lookup (CDX) the capture was chosen from
      lookup_fetch_id INTEGER REFERENCES fetches(id)
    );
    `,
    custody: ['prior_captures'],
  },
  // 8: where in an attachment each term was found (issue 15, item 1): a JSON list of places —
  // "page=3", "paragraph=12", "Sheet1!B214" — or NULL (a page's hits, and hits found before);
  // and for a document's capture, where each stretch of its text came from (its pages,
  // paragraphs, rows: extract/document-text/places.ts), so that a search names the place too.
  `ALTER TABLE term_hits ADD COLUMN places TEXT;
  CREATE TABLE text_places (
    capture_id INTEGER PRIMARY KEY REFERENCES captures(id),
    segments TEXT NOT NULL
  );`,
  // 9: files a posting links that could not be fetched (issue 15, item 5): tried again with the
  // posting's checks, with a growing wait, until one is captured (then the row goes). Detection
  // state, not evidence: every try's exchange is in fetches and the WARC.
  `CREATE TABLE attachment_failures (
    posting_id INTEGER NOT NULL REFERENCES pages(id),
    url TEXT NOT NULL,
    name TEXT,
    failures INTEGER NOT NULL,
    last_tried_at TEXT NOT NULL,
    reason TEXT,
    PRIMARY KEY (posting_id, url)
  );`,
  // 10: the host a mail's lease was taken on (issue 17): outboxes shared by several machines ask
  // the holder's pid only when it runs here; a lease from another machine lasts its term.
  `ALTER TABLE mails ADD COLUMN lease_host TEXT;`,
  // 11: evidence bundles made (issue 17, item 3): each bundle's .zip kept as a blob (in the team's
  // object store too), and which pages it proves with the verdict it gave. In the custody log:
  // what was handed to a third party, when and from where, is part of the record.
  {
    sql: `
    CREATE TABLE bundles (
      id INTEGER PRIMARY KEY,
      -- the bundle folder's name (its .zip is NAME.zip)
      name TEXT NOT NULL,
      made_at TEXT NOT NULL,
      host TEXT NOT NULL,
      zip_sha256 TEXT NOT NULL,
      zip_size INTEGER NOT NULL,
      files INTEGER NOT NULL
    );
    CREATE INDEX bundles_name ON bundles(name);
    CREATE TABLE bundle_pages (
      id INTEGER PRIMARY KEY,
      bundle_id INTEGER NOT NULL REFERENCES bundles(id),
      page_id INTEGER NOT NULL REFERENCES pages(id),
      verdict TEXT NOT NULL,
      UNIQUE (bundle_id, page_id)
    );
    CREATE INDEX bundle_pages_page ON bundle_pages(page_id);
    `,
    custody: ['bundles', 'bundle_pages'],
  },
  // 12: which process a run is (issue 17): the prefix its catalogue connections are named with,
  // so that a run whose process was killed is found and ended as interrupted (run-records.ts)
  // rather than shown running for ever; its own index, as those are all a search asks for.
  `ALTER TABLE runs ADD COLUMN holder TEXT;
  CREATE INDEX runs_running ON runs(status) WHERE status = 'running';`,
  // 13: which searchable texts hold each tracked form too short for the trigram index (issue 17,
  // item 2: two-character terms such as 教培 stay fast). A substring index, not term_hits: those
  // count only the run's own terms, and the longest form at each place (教培 inside 教培中心 is a
  // hit for 教培中心 alone). A form is indexed over every text when first listed (short-forms.ts),
  // and each new text after that; a search uses it only for a listed form. Derived from `texts`,
  // so not in the custody log.
  `CREATE TABLE short_forms (form TEXT PRIMARY KEY, indexed_at TEXT NOT NULL);
  CREATE TABLE short_hits (form TEXT NOT NULL, capture_id INTEGER NOT NULL, PRIMARY KEY (form, capture_id));`,
];

/** Runs one step on a connection of `dialect` (inside the caller's transaction). */
export function applyMigration(db: Db, step: Migration, dialect: Dialect): void {
  const ddl = (sql: string): string => (dialect === 'pg' ? pgDdl(sql) : sql);
  if (typeof step === 'string') db.exec(ddl(step));
  else if (typeof step === 'function') step(db);
  else {
    db.exec(ddl(step.sql));
    for (const table of step.custody) custodyTriggers(db, table);
  }
}
