import type { SiteOutcome } from '../schedule/site-outcome.js';
import type { CheckVerdict } from '../store/queries.js';
import { err, safe } from './common.js';

/** How one page of a watch list fared in a crawl of the list. */
export type ListPageOutcome = 'captured' | 'unchanged' | 'changed' | 'gone' | 'unreachable' | 'blocked' | 'not captured' | 'not asked';

export interface ListPageReport {
  url: string;
  site: string;
  outcome: ListPageOutcome;
  detail?: string;
  /** no answer at all (a network error, a 5xx): what makes a site unreachable */
  unanswered?: boolean;
}

/**
 * Each listed page's fate in this run, from what the run recorded: its check's verdict, its
 * first capture, or the failure that kept it from one (a never-captured page that does not
 * answer is "not captured", and stays listed for the next run).
 */
export function listPageReports(listOnly: Map<string, string[]>, verdicts: CheckVerdict[], captured: Set<string>, outcomes: SiteOutcome[]): ListPageReport[] {
  const byUrl = new Map(verdicts.map((v) => [v.url, v]));
  const out: ListPageReport[] = [];
  for (const [site, urls] of listOnly) {
    const o = outcomes.find((x) => x.site === site);
    for (const url of urls) {
      const v = byUrl.get(url);
      if (v) {
        const outcome: ListPageOutcome = v.outcome === 'changed' ? 'changed' : v.outcome === 'gone' ? 'gone' : v.outcome === 'unreachable' ? 'unreachable' : v.outcome === 'blocked' ? 'blocked' : 'unchanged';
        out.push({ url, site, outcome, ...(v.reason || v.detail ? { detail: [v.reason, v.detail].filter(Boolean).join(': ') } : {}), unanswered: outcome === 'unreachable' });
        continue;
      }
      if (captured.has(url)) {
        out.push({ url, site, outcome: 'captured' });
        continue;
      }
      const failure = o?.failures.find((f) => f.url === url);
      const problem = o?.problems.find((p) => p.url === url);
      if (failure) out.push({ url, site, outcome: 'not captured', detail: `${failure.kind}: ${failure.message}`, unanswered: UNANSWERED.has(failure.kind) });
      else if (problem) out.push({ url, site, outcome: 'not captured', detail: problem.problem });
      else out.push({ url, site, outcome: 'not asked' });
    }
  }
  return out;
}

/** A site of the list none of whose pages answered at all this run: the list's "could not be reached". */
export function unreachableListSites(reports: ListPageReport[]): string[] {
  const sites = new Map<string, ListPageReport[]>();
  for (const r of reports) sites.set(r.site, [...(sites.get(r.site) ?? []), r]);
  return [...sites].filter(([, rs]) => rs.every((r) => r.unanswered)).map(([s]) => s);
}

/** fetch failures that are no answer from the site (fetch/errors.ts kinds): a proxy that got no
 * connection to it, and pages not tried because the site had stopped answering, among them */
const UNANSWERED = new Set(['dns', 'refused', 'reset', 'timeout', 'tls', 'http_5xx', 'proxy', 'skipped', 'other']);

const ORDER: ListPageOutcome[] = ['captured', 'unchanged', 'changed', 'gone', 'unreachable', 'blocked', 'not captured', 'not asked'];

/** One line of counts, then a line for each page that did not simply answer as before. */
export function printListReport(reports: ListPageReport[], names: string[]): void {
  const counts = ORDER.map((k) => [k, reports.filter((r) => r.outcome === k).length] as const).filter(([, n]) => n > 0);
  err(`xjwatch: watch list ${names.join(', ')}: ${reports.length} page(s): ${counts.map(([k, n]) => `${n} ${k}`).join(', ')}`);
  for (const r of reports) {
    if (r.outcome === 'captured' || r.outcome === 'unchanged') continue;
    err(`  ${safe(r.url)}: ${r.outcome}${r.detail ? ` (${safe(r.detail)})` : ''}`);
  }
}
