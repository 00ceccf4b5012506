import type { OperatorEvent } from './events.js';
import { clearedEvent, raisedEvent, span, type OpenProblem } from './operator-event.js';

/** How one run of a site fared as a whole. */
export interface RunTrouble {
  run_id: number;
  started_at: string;
  /** the site-wide trouble of that run (unreachable, challenge_failed), or null when it answered */
  trouble: string | null;
  detail: string | null;
}

export interface BlockedSubject {
  site: string;
  host: string;
  home: string;
}

/**
 * A site unreachable or blocked in `runs` of its runs in a row (newest first, the current one
 * included): reported once, which a single site event (unreachable, challenge_failed) is not —
 * that says it started, this that it lasts. Cleared by the first run in which the site answers.
 */
export function hostBlocked(s: BlockedSubject, history: RunTrouble[], open: OpenProblem | undefined, rule: { blockedRuns: number }, now: Date): OperatorEvent | undefined {
  const current = history[0];
  if (!current) return undefined;
  const at = now.toISOString();
  const base = { subject: s.site, site: s.site, host: s.host, url: s.home };
  if (open) {
    if (current.trouble !== null) return undefined;
    return clearedEvent('host_blocked', open, { ...base, summary: `${s.site} (${s.host}): answers again, after ${span(now.getTime() - new Date(open.since).getTime())} unreachable or blocked`, measured: { run: current.run_id }, at });
  }
  let streak = 0;
  while (streak < history.length && history[streak]!.trouble !== null) streak++;
  if (streak < rule.blockedRuns) return undefined;
  const runs = history.slice(0, streak);
  const kinds = new Set(runs.map((r) => r.trouble));
  const what = kinds.size > 1 ? 'unreachable or blocked' : kinds.has('challenge_failed') ? 'blocked' : 'unreachable';
  const first = runs[runs.length - 1]!;
  return raisedEvent('host_blocked', {
    ...base,
    summary: `${s.site} (${s.host}): ${what} in ${streak} runs in a row since ${first.started_at}; last: ${current.detail ?? current.trouble}`,
    since: first.started_at,
    measured: { runs: streak, trouble: [...kinds].join(','), last_run: current.run_id },
    at,
  });
}
