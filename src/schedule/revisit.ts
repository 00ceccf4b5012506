import type { RevisitPolicy } from '../config/settings.js';

/** What the revisit policy looks at for one known posting. */
export interface RevisitFacts {
  first_seen_at: string;
  /** the last recheck, whatever it answered */
  last_checked_at: string | null;
  /** when its text last changed: its newest capture */
  changed_at: string | null;
  /** the lifecycle state last reported (suspected_deletion, deleted, …) */
  reported: string | null;
  /** its newest capture mentions a tracked term */
  has_hits: boolean;
  /** the site file pins it (a page a report cites) */
  pinned?: boolean;
}

export type RevisitTier = 'suspected' | 'pinned' | 'hits' | 'young' | 'settled';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/**
 * How often a known posting is rechecked. Most work of a watcher is rechecks, and most pages never
 * change again, so the interval is spent where it matters: a suspected deletion soon (so that it
 * is confirmed or cleared within hours), a cited (pinned) page and a page with tracked terms every
 * few hours, a young one
 * daily; the rest wait longer the longer they have stayed unchanged (1 d → 3 d → 7 d → 30 d by
 * default), which a change starts again.
 */
export function revisitInterval(p: RevisitFacts, policy: RevisitPolicy, now: Date): { tier: RevisitTier; ms: number } {
  if (p.reported === 'suspected_deletion') return { tier: 'suspected', ms: policy.suspectedMinutes * 60_000 };
  if (p.pinned) return { tier: 'pinned', ms: policy.pinnedHours * HOUR };
  if (p.has_hits) return { tier: 'hits', ms: policy.hitsHours * HOUR };
  if (now.getTime() - Date.parse(p.first_seen_at) < policy.youngDays * DAY) return { tier: 'young', ms: policy.youngHours * HOUR };
  const unchangedFor = now.getTime() - Date.parse(p.changed_at ?? p.first_seen_at);
  const steps = [...policy.ladderDays].sort((a, b) => a - b);
  let step = steps[0]!;
  for (const d of steps) if (unchangedFor >= d * DAY) step = d;
  return { tier: 'settled', ms: step * DAY };
}

/** When a posting is next due: its last look (a recheck, else its capture) plus its interval. */
export function nextCheckAt(p: RevisitFacts, policy: RevisitPolicy, now: Date): Date {
  const last = p.last_checked_at ?? p.changed_at ?? p.first_seen_at;
  return new Date(Date.parse(last) + revisitInterval(p, policy, now).ms);
}

export function isDue(p: RevisitFacts, policy: RevisitPolicy, now: Date): boolean {
  return nextCheckAt(p, policy, now).getTime() <= now.getTime();
}
