import { CronTime } from 'cron';
import type { Recipient } from '../config/settings.js';
import type { Term } from '../terms/types.js';

const DAYS = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } as const;

/** What an event is about, for matching recipients' filters. */
export interface EventFacts {
  kind: string;
  site?: string;
  /** page or site, for trouble and restorations */
  scope?: string;
  /** terms found in the page (for deletions: in its last capture) */
  terms: string[];
}

/** Kinds that an operator recipient gets only when they are about a whole site. */
const SITE_WIDE_FOR_OPERATORS = ['unreachable', 'challenge_failed', 'restored'];

/** Whether a recipient wants this event. Unset filters match everything. */
export function wants(r: Recipient, e: EventFacts, terms: Term[]): boolean {
  if (!r.kinds.includes(e.kind as Recipient['kinds'][number])) return false;
  // the tool's own health is the operator's; a page's trouble or return is the researcher's
  if (e.kind === 'operator' && r.kind !== 'operator') return false;
  if (r.kind === 'operator' && SITE_WIDE_FOR_OPERATORS.includes(e.kind) && e.scope !== 'site') return false;
  // the disk and the outbox concern every operator, whichever sites they look after
  if (e.kind === 'operator' && !e.site) return true;
  if (r.sites?.length && (!e.site || !r.sites.includes(e.site))) return false;
  // an operator problem is about a site, not a page: no terms to filter by
  if (e.kind === 'operator') return true;
  if (r.terms?.length || r.tags?.length) {
    const tagged = new Set(terms.filter((t) => t.tags.some((g) => r.tags?.includes(g))).map((t) => t.term));
    const hit = e.terms.some((t) => r.terms?.includes(t) || tagged.has(t));
    // site-wide trouble mentions no terms; a recipient who filters by terms still hears of it for their sites
    const siteWide = ['unreachable', 'challenge_failed', 'site_broken'].includes(e.kind) && r.sites?.length;
    if (!hit && !siteWide) return false;
  }
  return true;
}

/** When an alert for this recipient goes out: now, or the next digest time in their time zone. */
export function dueAt(r: Recipient, now: Date): string {
  if (r.send === 'immediate') return now.toISOString();
  const [hh, mm] = r.at.split(':').map(Number);
  const cron = r.send === 'daily' ? `${mm} ${hh} * * *` : `${mm} ${hh} * * ${DAYS[r.day]}`;
  // cron's sendAt() is the next such moment after the real clock's now
  return new CronTime(cron, r.timezone).sendAt().toJSDate().toISOString();
}
