import type { OperatorEvent } from './events.js';
import { clearedEvent, raisedEvent, type OpenProblem } from './operator-event.js';

export interface ListReading {
  site: string;
  url: string;
  /** its first page answered and yielded posting links in this run */
  yielded: boolean;
  /** its first page answered and yielded none */
  empty: boolean;
  /** when it last yielded a posting link before (null: never) */
  lastYieldedAt: string | null;
  /** its `links:` matched nothing and this many postings were found by their URL shape instead */
  fallback?: number;
}

/**
 * A list that used to yield postings and whose first page now answers with none: its `links:`
 * selector matches nothing (the layout changed). The operator's side of site_broken, which says
 * it once; this says it once and again when the list yields again. The caller does not ask while
 * the site is down or blocked: an empty page then is the outage.
 */
export function listBroken(l: ListReading, open: OpenProblem | undefined, now: Date): OperatorEvent | undefined {
  const at = now.toISOString();
  const base = { subject: l.url, site: l.site, url: l.url };
  if (open) return l.yielded ? clearedEvent('list_broken', open, { ...base, summary: `${l.site}: the list ${l.url} yields posting links again`, measured: {}, at }) : undefined;
  if (!l.empty || !l.lastYieldedAt) return undefined;
  return raisedEvent('list_broken', {
    ...base,
    summary: l.fallback
      ? `${l.site}: the list ${l.url} answers but its links: selector matches nothing; ${l.fallback} posting link(s) were found by their URL shape instead (fix links: in the site file); it last yielded some by it at ${l.lastYieldedAt}`
      : `${l.site}: the list ${l.url} answers but yields no posting links (its links: selector matches nothing); it last yielded some at ${l.lastYieldedAt}`,
    since: at,
    measured: { last_yielded_at: l.lastYieldedAt },
    at,
  });
}
