import type { Site } from '../config/site-file.js';
import type { XjEvent } from '../detect/events.js';
import { DocumentTextExtractor } from '../extract/document-text/extractor.js';
import { TermMatcher } from '../terms/matcher.js';
import type { Term } from '../terms/types.js';
import type { PassProgress } from './progress.js';
import type { RunContext } from './run-context.js';
import { SitePass, type SiteOutcome } from './site-pass.js';

export interface PassOptions {
  terms: Term[];
  userAgent: string;
  allPostings: boolean;
  maxPages?: number;
  emit: (event: XjEvent) => void;
  progress: PassProgress;
}

/** One full pass over the given sites, all at once (each site is polite to its own host). */
export async function runPass(ctx: RunContext, sites: Site[], opts: PassOptions): Promise<SiteOutcome[]> {
  const matcher = new TermMatcher(opts.terms);
  const documents = new DocumentTextExtractor();
  try {
    return await Promise.all(
      sites.map((site) =>
        new SitePass(site, ctx, matcher, {
          userAgent: opts.userAgent,
          allPostings: opts.allPostings,
          maxPages: opts.maxPages,
          emit: opts.emit,
          progress: opts.progress,
          documents,
        }).run(),
      ),
    );
  } finally {
    await documents.close();
  }
}
