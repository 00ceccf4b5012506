import type { Rechecks } from './rechecks.js';

/** What one pass learnt about one site: the crawl command's summary and exit status come from it. */
export interface SiteOutcome {
  site: string;
  listPages: number;
  listFailures: string[];
  postingsSeen: number;
  newPostings: number;
  reported: number;
  attachments: number;
  failures: { url: string; kind: string; message: string }[];
  problems: { url: string; problem: string }[];
  /** no list page could be fetched: nothing was learnt about the site */
  unreachable: boolean;
  /**
   * the site-wide trouble of this pass (unreachable, challenge_failed), or null when it answered;
   * absent when the pass did not walk its lists or was stopped (it says nothing either way)
   */
  trouble?: { kind: string; detail: string } | null;
  checks: Rechecks['counts'];
  renderings: number;
  /** stylesheets, images and fonts recorded for the pictures */
  requisites: number;
  /** the proxy the site's fetches went through, without credentials (absent: direct) */
  proxy?: string;
  /** third-party captures kept for pages already gone at their first fetch (settings `prior:`) */
  priorCaptures: { url: string; archivedAt: string; archiveUrl: string }[];
}

export function emptyOutcome(site: string, checks: SiteOutcome['checks']): SiteOutcome {
  return { site, listPages: 0, listFailures: [], postingsSeen: 0, newPostings: 0, reported: 0, attachments: 0, failures: [], problems: [], unreachable: false, checks, renderings: 0, requisites: 0, priorCaptures: [] };
}
