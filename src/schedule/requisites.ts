import type { Site } from '../config/site-file.js';
import { decodeBody } from '../extract/decode.js';
import { parseHtml } from '../extract/html.js';
import { cssRequisites, htmlRequisites, type Requisite } from '../extract/requisites.js';
import { registrableDomain } from '../fetch/redirect-policy.js';
import { crawlSite, type SiteCrawlOptions } from '../fetch/site-crawler.js';
import { captureBody, insertRequisites, requisitesOf } from '../store/renderings.js';
import { looksLikeHtml } from './page-reader.js';
import type { RenderJob } from './renderings.js';
import type { RunContext } from './run-context.js';
import type { PassTask } from './task-data.js';

/** How much one capture's requisites may cost: the site is asked politely, through its own rate. */
export const REQUISITE_LIMITS = { perCapture: 60, eachBytes: 4 * 1024 * 1024, totalBytes: 16 * 1024 * 1024 };

/**
 * Fetches and records the same-site stylesheets, images and fonts of the captures this run will
 * picture, so that their replay shows the page as a reader saw it from the WARC alone. A capture
 * pictured when it is made gets them with it; one pictured only later (a deleted page's last live
 * capture that had no picture yet) gets them when pictured, and its picture's note says they were
 * recorded after the page. What cannot be had (another site's, over the limits, failed) the
 * rendering names as missing.
 */
export async function recordRequisites(site: Site, ctx: RunContext, jobs: RenderJob[], crawl: SiteCrawlOptions): Promise<number> {
  const plan = new RequisitePlan(site.home, (ids, url, fetchId) => insertRequisites(ctx.db, ids, url, fetchId));
  for (const job of jobs) {
    if (job.what !== 'capture' || !job.captureId) continue;
    const capture = captureBody(ctx.db, job.captureId);
    if (!capture || requisitesOf(ctx.db, job.captureId).length) continue;
    const body = ctx.blobs.get(capture.body_sha256);
    if (!/html|xml/i.test(capture.content_type ?? '') && !looksLikeHtml(body)) continue;
    const $ = parseHtml(decodeBody(body, capture.content_type ?? undefined, site.encoding).text);
    plan.add(job.captureId, capture.final_url, htmlRequisites($, capture.final_url), 0);
  }
  const start = plan.tasks(site.id);
  if (!start.length) return 0;
  let recorded = 0;
  await crawlSite(start, {
    ...crawl,
    // a stylesheet is never rendered as a page; a challenge is still passed as for any fetch
    fetchMode: crawl.fetchMode === 'browser' ? 'auto' : crawl.fetchMode,
    maxBodyBytes: REQUISITE_LIMITS.eachBytes,
    onPage: (page) => {
      const data = (page.task as PassTask).data;
      if (data?.kind !== 'requisite') return [];
      const last = page.chain[page.chain.length - 1];
      const fetchId = last ? ctx.recorder.fetchId(last.id) : undefined;
      if (fetchId === undefined) return [];
      const captureIds = plan.fetched(page.task.url, fetchId, page.body.length);
      recorded++;
      if (!data.style || data.depth > 1 || page.status !== 200) return [];
      // what the sheet names (fonts, background images, @imports) belongs to the same captures
      const named = cssRequisites(page.body.toString('utf8'), page.finalUrl);
      for (const id of captureIds) plan.add(id, page.finalUrl, named, data.depth + 1);
      return plan.tasks(site.id);
    },
    // a requisite that could not be had is named with the picture as refused
    onFailure: () => undefined,
  });
  return recorded;
}

/** Which requisites to fetch for which captures, within the limits, each URL asked for once. */
class RequisitePlan {
  private readonly wanted = new Map<string, { captureIds: Set<number>; style: boolean; depth: number; queued: boolean; fetchId?: number; bytes?: number }>();
  private readonly counts = new Map<number, { n: number; bytes: number }>();
  private readonly siteHost: string;

  constructor(
    home: string,
    private readonly link: (captureIds: number[], url: string, fetchId: number) => void,
  ) {
    this.siteHost = new URL(home).hostname;
  }

  add(captureId: number, pageUrl: string, found: Requisite[], depth: number): void {
    const count = this.counts.get(captureId) ?? { n: 0, bytes: 0 };
    this.counts.set(captureId, count);
    for (const r of found) {
      if (!sameSite(r.url, pageUrl, this.siteHost)) continue;
      const w = this.wanted.get(r.url);
      if (w?.captureIds.has(captureId)) continue;
      if (count.n >= REQUISITE_LIMITS.perCapture || count.bytes >= REQUISITE_LIMITS.totalBytes) return;
      count.n++;
      if (!w) {
        this.wanted.set(r.url, { captureIds: new Set([captureId]), style: r.kind === 'style', depth, queued: false });
        continue;
      }
      w.captureIds.add(captureId);
      // already in: one fetch serves every capture that names it
      if (w.fetchId !== undefined) {
        this.link([captureId], r.url, w.fetchId);
        count.bytes += w.bytes ?? 0;
      }
    }
  }

  /** A requisite is recorded: tied to every capture that named it so far; returns them. */
  fetched(url: string, fetchId: number, bytes: number): number[] {
    const w = this.wanted.get(url);
    if (!w) return [];
    w.fetchId = fetchId;
    w.bytes = bytes;
    const ids = [...w.captureIds];
    this.link(ids, url, fetchId);
    for (const id of ids) this.counts.get(id)!.bytes += bytes;
    return ids;
  }

  /** The fetches not asked for yet. */
  tasks(siteId: string): PassTask[] {
    const out: PassTask[] = [];
    for (const [url, w] of this.wanted) {
      if (w.queued) continue;
      w.queued = true;
      out.push({ url, purpose: { siteId, label: 'requisite' }, maxBodyBytes: REQUISITE_LIMITS.eachBytes, data: { kind: 'requisite', style: w.style, depth: w.depth } });
    }
    return out;
  }
}

/** On the page's own domain or the site's (www.x.gov.cn, x.gov.cn, static.x.gov.cn: one site), as redirects judge it. */
export function sameSite(url: string, pageUrl: string, siteHost: string): boolean {
  const domain = registrableDomain(new URL(url).hostname);
  return domain === registrableDomain(new URL(pageUrl).hostname) || domain === registrableDomain(siteHost);
}
