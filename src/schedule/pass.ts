import type { OperatorSettings, RevisitPolicy } from '../config/settings.js';
import { loadSiteCode, type SiteCode } from '../config/site-code.js';
import type { Site } from '../config/site-file.js';
import type { XjEvent } from '../detect/events.js';
import { DocumentTextExtractor } from '../extract/document-text/extractor.js';
import { BrowserFetchers } from '../fetch/browser.js';
import type { HostGate } from '../fetch/host-gate.js';
import { TermMatcher } from '../terms/matcher.js';
import type { Term } from '../terms/types.js';
import type { PriorOptions } from './prior.js';
import type { PassProgress } from './progress.js';
import type { RunContext } from './run-context.js';
import { SitePass, type SiteOutcome } from './site-pass.js';

export type RecheckMode = 'all' | 'due' | 'none' | { urls: string[] };

export interface PassOptions {
  terms: Term[];
  userAgent: string;
  allPostings: boolean;
  maxPages?: number;
  /** which known postings each site rechecks: one mode for all, or a site's own (a watch list's pages) */
  recheck: RecheckMode | ((site: Site) => RecheckMode);
  revisit?: RevisitPolicy;
  /** politeness per host shared with other passes running at once (the watcher's) */
  hostGate?: HostGate;
  confirmAfter: number;
  lists?: boolean;
  /** how long the browser waits for a JavaScript challenge to clear (default 30 s) */
  challengeTimeoutMs?: number;
  screenshots?: boolean;
  screenshotUrls?: string[];
  /** judge the operator's problems of each site after its pass */
  operator?: OperatorSettings;
  /** prior captures of pages gone at their first fetch, from an archive (off unless set) */
  prior?: PriorOptions;
  emit: (event: XjEvent) => void;
  progress: PassProgress;
  /** the browser was needed and could not start: told once, at once (what was tried, the fix) */
  onBrowserUnavailable?: (problem: string) => void;
  /** the document reader of several passes (a watcher thread's); else the pass starts its own */
  documents?: DocumentTextExtractor;
}

/**
 * One full pass over the given sites, all at once (each site is polite to its own host). A write
 * that fails for good halts the run (RunContext): the sites' crawls stop at once, and the pass
 * rejects with that failure.
 */
export async function runPass(ctx: RunContext, sites: Site[], opts: PassOptions): Promise<SiteOutcome[]> {
  const matcher = new TermMatcher(opts.terms);
  // before any text of this run is stored: a search for a short term then reads the index
  ctx.catalogue.indexShortForms(matcher.forms);
  // the sites' own code (crawlers/<name>.ts), each module loaded once
  const codes = new Map<string, SiteCode>();
  for (const s of sites) if (s.code && !codes.has(s.code)) codes.set(s.code, await loadSiteCode(s.code));
  const documents = opts.documents ?? new DocumentTextExtractor();
  // one browser for the whole run (one per proxy setting), started only if a site needs it
  const browsers = new BrowserFetchers({
    userAgent: opts.userAgent,
    sink: ctx.recorder.record,
    challengeTimeoutMs: opts.challengeTimeoutMs ?? 30_000,
    navigationTimeoutMs: 60_000,
    onUnavailable: opts.onBrowserUnavailable,
  });
  try {
    // one site's failure must not pull the store from under the others: wait for all
    const settled = await Promise.allSettled(
      sites.map((site) =>
        new SitePass(site, ctx, matcher, {
          userAgent: opts.userAgent,
          allPostings: opts.allPostings,
          maxPages: opts.maxPages,
          recheck: typeof opts.recheck === 'function' ? opts.recheck(site) : opts.recheck,
          revisit: opts.revisit,
          hostGate: opts.hostGate,
          confirmAfter: opts.confirmAfter,
          lists: opts.lists,
          emit: opts.emit,
          progress: opts.progress,
          documents,
          browser: browsers.via(site.proxy),
          screenshots: opts.screenshots,
          screenshotUrls: opts.screenshotUrls,
          operator: opts.operator,
          prior: opts.prior,
          code: site.code ? codes.get(site.code) : undefined,
        }).run(),
      ),
    );
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw ctx.writeFailed(failed.reason);
    ctx.throwIfHalted(); // a failure a page's handler caught still ends the run
    return settled.map((r) => (r as PromiseFulfilledResult<SiteOutcome>).value);
  } finally {
    if (!opts.documents) await documents.close();
    await browsers.close();
  }
}
