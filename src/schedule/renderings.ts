import type { BrowserFetcher } from '../fetch/browser.js';
import { captureBody, insertRendering } from '../store/renderings.js';
import type { RunContext } from './run-context.js';

/** A page to picture: a kept capture (rendered from its own bytes) or what its URL answers now. */
export interface RenderJob {
  siteId: string;
  pageId: number;
  url: string;
  what: 'capture' | 'present';
  captureId?: number;
}

/**
 * Screenshots and PDF prints, made once the pass has its events: of every new posting with
 * term hits, every changed page's new capture, and a deleted page's last live capture and present
 * answer. A kept capture is a replay of its own bytes (so the picture is of the SHA-256 on record);
 * what it would have loaded from elsewhere is refused in the browser and named with the picture.
 */
export async function makeRenderings(ctx: RunContext, browser: BrowserFetcher, jobs: RenderJob[], cookiesFor: (url: string) => Promise<{ name: string; value: string; domain: string; path: string }[]>): Promise<number> {
  let made = 0;
  await Promise.all(
    jobs.map(async (job) => {
      const capture = job.captureId ? captureBody(ctx.db, job.captureId) : undefined;
      const offline = job.what === 'capture' && capture ? { body: ctx.blobs.get(capture.body_sha256), contentType: capture.content_type ?? 'text/html' } : undefined;
      const r = await browser.fetch({ url: job.url, purpose: { siteId: job.siteId, label: 'check' }, cookies: await cookiesFor(job.url), screenshot: true, pdf: true, offline, challengeTimeoutMs: 15_000 });
      const png = r.screenshot ? await ctx.blobs.put(r.screenshot) : null;
      const pdf = r.pdf ? await ctx.blobs.put(r.pdf) : null;
      const missing = r.refused?.length ? `shown from the recorded page alone: ${r.refused.length} requisite(s) it names are not in the capture and were not loaded (${r.refused.slice(0, 5).join(', ')}${r.refused.length > 5 ? ', …' : ''})` : undefined;
      const problem = [r.problem, missing].filter(Boolean).join('; ') || null;
      insertRendering(ctx.db, { page_id: job.pageId, capture_id: job.captureId ?? null, run_id: ctx.runId, at: new Date().toISOString(), what: job.what, png_sha256: png, pdf_sha256: pdf, problem });
      if (png) made++;
    }),
  );
  return made;
}
