/** The events of DESIGN.md ("Events"); what `--json` prints, one per line. */
export type EventKind =
  | 'new_posting'
  | 'changed'
  | 'delisted'
  | 'suspected_deletion'
  | 'deleted'
  | 'restored'
  | 'unreachable'
  | 'challenge_failed'
  | 'site_broken';

export interface EventTerm {
  term: string;
  count: number;
  snippet: string;
  /** where the term was found when not in the page itself, e.g. "attachment: 名单.xls" */
  source?: string;
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
  reason: string;
  at: string;
}

export type XjEvent = NewPostingEvent | SiteBrokenEvent;
