import type { SheetChanges } from './sheet-diff.js';

/** The events (docs/ARCHITECTURE.md, "How an event travels"; fields in DESIGN.md "Events"); what `--json` prints, one per line. */
export type EventKind =
  | 'new_posting'
  | 'changed'
  | 'delisted'
  | 'suspected_deletion'
  | 'deleted'
  | 'restored'
  | 'unreachable'
  | 'challenge_failed'
  | 'site_broken'
  | 'operator';

export interface EventTerm {
  term: string;
  count: number;
  snippet: string;
  /** where the term was found when not in the page itself, e.g. "attachment: 名单.xls" */
  source?: string;
  /** where the snippet is, when an attachment's place is known: "名单.xls#Sheet1!B214" (else "page") */
  in?: string;
  /** every place in the attachments it was found, "<file>#<place>" (at most 20) */
  places?: string[];
}

/** A term hit as an event carries it. */
export function eventTerm(h: { term: string; count: number; snippet: string; source?: string; places?: string[] }): EventTerm {
  const out: EventTerm = { term: h.term, count: h.count, snippet: h.snippet };
  if (h.source && h.source !== 'page') out.source = h.source;
  if (h.places?.length) {
    out.in = (h.source ?? 'page').startsWith('page') ? 'page' : h.places[0]!;
    out.places = h.places;
  }
  return out;
}

export interface AttachmentSummary {
  url: string;
  name: string;
  capture?: string;
  error?: string;
}

export interface NewPostingEvent {
  kind: 'new_posting';
  site: string;
  url: string;
  title: string;
  published: string | null;
  terms: EventTerm[];
  attachments: AttachmentSummary[];
  capture: string;
  at: string;
}

export interface SiteBrokenEvent {
  kind: 'site_broken';
  site: string;
  url: string;
  /** `no_links`: the list yields nothing where it used to; `selector_matches_nothing`: its `links:` broke */
  reason: string;
  detail: string;
  /** the `links:` that matched nothing */
  selector?: string;
  /** the postings found instead, and how (they are followed and reported as usual) */
  fallback?: { method: 'url-shape'; postings: number };
  at: string;
}

/** What an attachment's event is about: the file, by its link's name, and the posting that links it. */
export interface AttachmentRef {
  name: string;
  posting: string;
  posting_title: string;
}

/** The page's text changed beyond trivia (counters, timestamps). */
export interface ChangedEvent {
  kind: 'changed';
  site: string;
  url: string;
  title: string;
  /** set when what changed is an attachment of a posting (url is the file's) */
  attachment?: AttachmentRef;
  /** a spreadsheet's changes by row and cell ("roster!E4"); its word runs are then left empty */
  rows?: SheetChanges;
  /** files a changed posting links now that it did not, fetched and read with it (their terms are in `terms`) */
  attachments_added?: AttachmentSummary[];
  /** runs of text added and removed, word by word */
  added: string[];
  removed: string[];
  terms_appeared: string[];
  terms_vanished: string[];
  terms: EventTerm[];
  capture: string;
  previous_capture: string;
  previous_at: string;
  at: string;
}

/** Gone from the list pages where it was seen, still served at its URL. */
export interface DelistedEvent {
  kind: 'delisted';
  site: string;
  url: string;
  title: string;
  list: string;
  last_listed_at: string;
  capture: string;
  at: string;
}

export interface DeletionEvent {
  kind: 'suspected_deletion' | 'deleted';
  site: string;
  url: string;
  title: string;
  /** set when what is gone is an attachment of a posting */
  attachment?: AttachmentRef;
  /** what the page's own URL answers now */
  reason: 'http_404' | 'http_410' | 'soft_404' | 'redirect_home' | 'dns_gone';
  detail: string;
  /** checks in a row that failed this way (with healthy controls) */
  checks: number;
  /** when the first of those checks was made */
  failing_since: string;
  last_seen: string;
  last_capture: string;
  status: number | null;
  controls: ControlsSummary;
  at: string;
}

export interface RestoredEvent {
  kind: 'restored';
  site: string;
  url: string;
  title: string;
  attachment?: AttachmentRef;
  scope: 'page' | 'site';
  /** what had been reported: suspected_deletion, deleted, unreachable, challenge_failed */
  was: string;
  /** whether the text is the same as the last capture before it went away */
  same_text: boolean | null;
  capture: string | null;
  at: string;
}

export interface TroubleEvent {
  kind: 'unreachable' | 'challenge_failed';
  site: string;
  url: string;
  scope: 'page' | 'site';
  reason: string;
  detail: string;
  at: string;
}

/** What the controls made with a check answered. */
export interface ControlsSummary {
  healthy: boolean;
  home: string;
  sibling: string;
  not_found: string;
}

/** What the operator watches: the tool's own health, apart from what the sites did. */
export type OperatorProblem = 'site_quiet' | 'host_blocked' | 'list_broken' | 'disk_filling' | 'outbox_stuck';
export const OPERATOR_PROBLEMS: readonly OperatorProblem[] = ['site_quiet', 'host_blocked', 'list_broken', 'disk_filling', 'outbox_stuck'];

/**
 * A problem of the watch itself, for the operator's recipients: reported once when it is
 * `raised`, and once more when it is `cleared`.
 */
export interface OperatorEvent {
  kind: 'operator';
  problem: OperatorProblem;
  state: 'raised' | 'cleared';
  /** what it is about: a site id (site_quiet, host_blocked), a list's URL, the data directory, "outbox" */
  subject: string;
  /** the site, for the site problems */
  site?: string;
  /** the host (host_blocked) */
  host?: string;
  /** the list's URL (list_broken), the site's home page (host_blocked) */
  url?: string;
  /** one line that says what was measured */
  summary: string;
  /** when the problem began, as measured (for a clearing: the same as when raised) */
  since: string;
  /** the figures behind the summary */
  measured: Record<string, number | string | null>;
  at: string;
}

export type XjEvent = NewPostingEvent | SiteBrokenEvent | ChangedEvent | DelistedEvent | DeletionEvent | RestoredEvent | TroubleEvent | OperatorEvent;
