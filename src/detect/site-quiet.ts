import type { OperatorEvent } from './events.js';
import { clearedEvent, daysBetween, raisedEvent, span, type OpenProblem } from './operator-event.js';

export interface QuietRule {
  quietDays: number;
  lookbackDays: number;
  minPostings: number;
}

export interface PostingHistory {
  /** when the newest posting was first seen (null: none yet) */
  lastNewAt: string | null;
  /** the postings' own dates (published, as the pages state them; null when a page has none) */
  published: (string | null)[];
}

/**
 * A site that used to post often and has yielded nothing new for `quietDays`: its lists may have
 * stopped showing what it posts (a new section, a changed pager), or it really stopped. How often
 * it posted is read from the postings' own dates in the `lookbackDays` before the last new one,
 * since first sight says nothing (a first crawl sees years of postings at once); a site with
 * fewer than `minPostings` there is not judged. Cleared by the next new posting.
 */
export function siteQuiet(site: string, h: PostingHistory, open: OpenProblem | undefined, rule: QuietRule, now: Date): OperatorEvent | undefined {
  if (!h.lastNewAt) return undefined;
  const at = now.toISOString();
  if (open) {
    if (h.lastNewAt <= open.since) return undefined;
    const quiet = span(new Date(h.lastNewAt).getTime() - new Date(open.since).getTime());
    return clearedEvent('site_quiet', open, { subject: site, site, summary: `${site}: a new posting again (first seen ${h.lastNewAt}), after ${quiet} without one`, measured: { last_new_at: h.lastNewAt }, at });
  }
  const quietDays = daysBetween(h.lastNewAt, now);
  if (quietDays < rule.quietDays) return undefined;
  const end = new Date(h.lastNewAt).getTime();
  const start = end - rule.lookbackDays * 86_400_000;
  const inWindow = h.published.filter((p) => {
    const t = p ? Date.parse(`${p.slice(0, 10)}T00:00:00Z`) : NaN;
    // a date is a whole day: one on the last new posting's day still counts
    return t >= start && t <= end;
  }).length;
  if (inWindow < rule.minPostings) return undefined;
  const every = rule.lookbackDays / inWindow;
  return raisedEvent('site_quiet', {
    subject: site,
    site,
    summary: `${site}: no new posting for ${span(now.getTime() - end)} (the last first seen ${h.lastNewAt}); it posted ${inWindow} times in the ${rule.lookbackDays} days before (${cadence(every)})`,
    since: h.lastNewAt,
    measured: { quiet_days: round1(quietDays), postings_before: inWindow, lookback_days: rule.lookbackDays, every_days: round1(every) },
    at,
  });
}

function cadence(everyDays: number): string {
  if (everyDays <= 1.5) return 'about daily';
  if (everyDays >= 5 && everyDays <= 9) return 'about weekly';
  return `about every ${Math.round(everyDays)} days`;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
