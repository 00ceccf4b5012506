import type { Site } from '../config/site-file.js';
import { delistedEvent, siteRestoredEvent, siteTroubleEvent } from '../detect/check-events.js';
import type { Verdict } from '../detect/classify.js';
import type { XjEvent } from '../detect/events.js';
import type { siteTrouble } from '../detect/site-trouble.js';
import type { WatchStore } from '../store/watch-store.js';
import type { RunContext } from './run-context.js';

/** What a site-level report of a recheck pass writes through and tells. */
export interface SiteReports {
  site: Site;
  ctx: RunContext;
  store: WatchStore;
  emit: (e: XjEvent) => void;
}

/** The site's trouble, once when it starts and once (restored) when it ends. */
export function reportSite(r: SiteReports, trouble: ReturnType<typeof siteTrouble>, at: string): void {
  const { site, ctx, store } = r;
  const was = store.siteReported(site.id);
  if (trouble ? was === trouble.kind : !was) return;
  const e = trouble ? siteTroubleEvent(site, trouble, at) : siteRestoredEvent({ id: site.id, home: site.home, name: site.name }, was!, at);
  ctx.catalogue.transaction(() => {
    store.setSiteReported(site.id, trouble ? trouble.kind : null, at);
    ctx.catalogue.insertEvent({ runId: ctx.runId, kind: e.kind, siteId: site.id, url: e.url, at, body: e });
  });
  r.emit(e);
}

/** Postings seen on this list before, not in this run's complete reading of it, still served. */
export function reportDelistings(r: SiteReports, root: string, verdicts: Map<string, Verdict>): void {
  const { site, ctx, store } = r;
  for (const row of store.listedOn(root)) {
    const listedNow = row.last_run_id === ctx.runId;
    if (listedNow && row.delisted_at) store.setDelisted(row.page_id, null); // back on the list
    if (listedNow || row.delisted_at) continue;
    const v = verdicts.get(row.url);
    if (!v || (v.kind !== 'live' && v.kind !== 'not_modified')) continue; // gone pages get deletion events instead
    const page = store.pageByUrl(row.url)!;
    const last = page.last_capture_id ? store.capture(page.last_capture_id) : undefined;
    const at = new Date().toISOString();
    const e = delistedEvent({ site: site.id, url: row.url, title: page.title, list: root, lastListedAt: row.last_seen_at, last, at });
    ctx.catalogue.transaction(() => {
      store.setDelisted(row.page_id, at);
      ctx.catalogue.insertEvent({ runId: ctx.runId, kind: e.kind, siteId: site.id, pageId: row.page_id, url: row.url, at, body: e });
    });
    r.emit(e);
  }
}
