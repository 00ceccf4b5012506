import type { BrowserFetcher, OfflinePage } from '../fetch/browser.js';
import type { XjEvent } from '../detect/events.js';
import type { Db } from '../store/db.js';
import { captureBody, insertRendering, requisitesOf, unpicturedBefore } from '../store/renderings.js';
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
 * answer. A kept capture is a replay of its own bytes and the requisites recorded with it (so the
 * picture is of what is on record); anything else it would load is refused in the browser and
 * named with the picture.
 */
export async function makeRenderings(ctx: RunContext, browser: BrowserFetcher, jobs: RenderJob[], cookiesFor: (url: string) => Promise<{ name: string; value: string; domain: string; path: string }[]>): Promise<number> {
  let made = 0;
  await Promise.all(
    jobs.map(async (job) => {
      const replay = job.what === 'capture' && job.captureId ? replayOf(ctx, job.captureId) : undefined;
      const offline = replay?.page;
      const r = await browser.fetch({ url: job.url, purpose: { siteId: job.siteId, label: 'check' }, cookies: offline ? [] : await cookiesFor(job.url), screenshot: true, pdf: true, offline, challengeTimeoutMs: 15_000 });
      const png = r.screenshot ? await ctx.blobs.put(r.screenshot) : null;
      const pdf = r.pdf ? await ctx.blobs.put(r.pdf) : null;
      const problem = [r.problem, replay ? replayNote(replay, r.refused ?? []) : undefined].filter(Boolean).join('; ') || null;
      insertRendering(ctx.db, { page_id: job.pageId, capture_id: job.captureId ?? null, run_id: ctx.runId, at: new Date().toISOString(), what: job.what, png_sha256: png, pdf_sha256: pdf, problem });
      if (png) made++;
    }),
  );
  return made;
}

/** The capture and its recorded requisites, as the browser is to be served them. */
function replayOf(ctx: RunContext, captureId: number): { page: OfflinePage; capturedAt: string; laterRequisites: string | undefined } | undefined {
  const capture = captureBody(ctx.db, captureId);
  if (!capture) return undefined;
  const requisites: OfflinePage['requisites'] = new Map();
  let later: string | undefined;
  for (const r of requisitesOf(ctx.db, captureId)) {
    if (!r.body_sha256 || r.status === null) continue;
    // read when the browser asks: a pass pictures its jobs at once, and their files add up
    const sha = r.body_sha256;
    requisites.set(r.url, { status: r.status, contentType: r.content_type ?? 'application/octet-stream', body: () => ctx.blobs.get(sha) });
    if (r.run_id !== capture.run_id && (!later || r.at > later)) later = r.at;
  }
  return { page: { body: ctx.blobs.get(capture.body_sha256), contentType: capture.content_type ?? 'text/html', requisites }, capturedAt: capture.at, laterRequisites: later };
}

/** What the picture was made from, and what the page asked for that is not on record. */
function replayNote(replay: { page: OfflinePage; capturedAt: string; laterRequisites: string | undefined }, refused: string[]): string | undefined {
  const kept = replay.page.requisites?.size ?? 0;
  const notes: string[] = [];
  // a stylesheet fetched after the page may not be the one it was shown with: say so
  if (replay.laterRequisites) notes.push(`its stylesheets and images were recorded later than the page (page ${replay.capturedAt}, requisites ${replay.laterRequisites})`);
  if (refused.length) {
    const from = kept ? `the recorded page and ${kept} requisite(s) recorded with it` : 'the recorded page alone';
    notes.push(`shown from ${from}: ${refused.length} request(s) of the page not on record were refused, not loaded (${refused.slice(0, 5).join(', ')}${refused.length > 5 ? ', …' : ''})`);
  }
  return notes.join('; ') || undefined;
}

/**
 * The pictures a committed check asks for: a changed page's new capture, and the version it
 * replaced if that was never pictured (a posting without terms is not when new), so that a diff
 * shows both; a deleted page's last live capture and its present answer.
 */
export function askPictures(db: Db, picture: (job: Omit<RenderJob, 'siteId'>) => void, c: { pageId: number; url: string; events: XjEvent[]; lastId: number | undefined; always: boolean }): void {
  const { pageId, url, lastId } = c;
  if (c.events.some((e) => e.kind === 'changed') && lastId) {
    picture({ pageId, url, what: 'capture', captureId: lastId });
    const before = unpicturedBefore(db, pageId, lastId);
    if (before) picture({ pageId, url, what: 'capture', captureId: before });
  }
  if (c.events.some((e) => e.kind === 'deleted') || c.always) {
    if (lastId) picture({ pageId, url, what: 'capture', captureId: lastId });
    picture({ pageId, url, what: 'present' });
  }
}
