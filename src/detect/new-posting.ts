import type { TermHit } from '../terms/types.js';
import { eventTerm, type AttachmentSummary, type NewPostingEvent } from './events.js';

export interface PostingFacts {
  site: string;
  url: string;
  title: string;
  published?: string;
  bodySha256: string;
  /** hits in the page and its attachments, merged */
  hits: TermHit[];
  attachments: AttachmentSummary[];
  at: string;
}

/**
 * A posting is new the first time it is captured, and only then. It is reported when it
 * mentions a tracked term (or always, with `all`); one that does not is still kept and
 * searchable, and a later edit that brings a term in is a change, not a new posting.
 */
export function newPostingEvent(p: PostingFacts, firstCapture: boolean, all: boolean): NewPostingEvent | undefined {
  if (!firstCapture) return undefined;
  if (!all && p.hits.length === 0) return undefined;
  return {
    kind: 'new_posting',
    site: p.site,
    url: p.url,
    title: p.title,
    published: p.published ?? null,
    terms: p.hits.map(eventTerm),
    attachments: p.attachments,
    capture: `sha256:${p.bodySha256}`,
    at: p.at,
  };
}
