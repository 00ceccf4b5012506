import type { OperatorSettings } from '../config/settings.js';
import type { Site } from '../config/site-file.js';
import type { OperatorEvent } from '../detect/events.js';
import { hostBlocked, type RunTrouble } from '../detect/host-blocked.js';
import { listBroken } from '../detect/list-broken.js';
import { siteQuiet } from '../detect/site-quiet.js';
import { listHistory } from '../store/listing-reads.js';
import { postingHistory, siteRunTroubles } from '../store/operator-reads.js';
import { OperatorStore } from '../store/operator-store.js';
import { reportOperator } from './operator-report.js';
import type { RunContext } from './run-context.js';

/** What a pass learnt of a site that the operator's checks judge. */
export interface SiteReading {
  /** the pass's site-wide trouble; undefined when it says nothing (see SiteOutcome.trouble) */
  trouble: { kind: string; detail: string } | null | undefined;
  /** `found`: postings the URL-shape fallback found where `links:` matched nothing */
  emptyLists: { url: string; at: string; found?: number }[];
  yieldedLists: Set<string>;
}

/** Runs looked back at to date a streak of trouble (its length beyond this is not told). */
const HISTORY = 100;

/**
 * The operator's problems of one site after a pass that walked its lists: blocked or unreachable
 * for N runs, a list that yields nothing, the site gone quiet. Each raised once and cleared once
 * (operator_problems), written with its alerts; returns the events to print.
 */
export function checkSiteProblems(ctx: RunContext, site: Site, r: SiteReading, rule: OperatorSettings, now = new Date()): OperatorEvent[] {
  if (r.trouble === undefined) return [];
  const store = new OperatorStore(ctx.db);
  const out: OperatorEvent[] = [];
  const report = (key: string, e: OperatorEvent | undefined) => {
    if (!e) return;
    reportOperator(ctx.catalogue, store, key, e, ctx.runId);
    out.push(e);
  };

  const current: RunTrouble = { run_id: ctx.runId, started_at: ctx.startedAt, trouble: r.trouble?.kind ?? null, detail: r.trouble?.detail ?? null };
  const history = [current, ...siteRunTroubles(ctx.db, site.id, ctx.runId, Math.max(HISTORY, rule.blockedRuns))];
  const host = new URL(site.home).host;
  report(site.id, hostBlocked({ site: site.id, host, home: site.home }, history, store.open('host_blocked', site.id), rule, now));

  for (const list of site.lists) {
    const open = store.open('list_broken', list.url);
    // an empty list while the site is down or blocked is the outage, not a new layout
    const empty = !r.trouble && r.emptyLists.some((e) => e.url === list.url);
    if (!open && !empty) continue;
    const lastYieldedAt = empty ? listHistory(ctx.db, list.url).lastYieldedAt : null;
    const fallback = r.emptyLists.find((e) => e.url === list.url)?.found;
    report(list.url, listBroken({ site: site.id, url: list.url, yielded: r.yieldedLists.has(list.url), empty, lastYieldedAt, fallback }, open, now));
  }

  // quiet is judged in a run that reached the site: while it is down, host_blocked says why; a
  // site watched only for pinned pages (a watch list's) posts nothing new by design
  if (!r.trouble && site.lists.length) report(site.id, siteQuiet(site.id, postingHistory(ctx.db, site.id), store.open('site_quiet', site.id), rule, now));
  return out;
}
