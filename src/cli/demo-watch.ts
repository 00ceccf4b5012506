import { DEFAULT_REVISIT, DEFAULT_WATCH, type Settings } from '../config/settings.js';
import type { Site } from '../config/site-file.js';
import type { CountyVsbSite } from '../demo/sites/county-vsb.js';
import type { XjEvent } from '../detect/events.js';
import { Watcher } from '../schedule/watcher.js';
import { WriterLock } from '../store/writer-lock.js';
import type { Term } from '../terms/types.js';
import { alertingFor, armAlerts, sendAlerts } from './alerting.js';
import { browserUnavailableNotice, err, userAgent } from './common.js';
import { dim } from './format.js';

/** What the watch step saw: each happening with how long after it was made on the site it was reported. */
export interface WatchFacts {
  seconds: number;
  arrived: { what: 'new' | 'edit' | 'deletion'; after: number | undefined }[];
}

/** Time compressed: the county site every 3 seconds, rechecks due within seconds. */
const SCHEDULE = '*/3 * * * * *';
const LIMIT_MS = 40_000;

/**
 * Step 5 of the tour: `xjwatch watch` as a watcher runs it (its Watcher, cron schedule, lock,
 * outbox), over the county site on a 3-second schedule, while the site posts something new, edits
 * a posting and takes one down; each is printed as it is reported, and mailed.
 */
export async function watchStep(o: { dataDir: string; county: CountyVsbSite; site: Site; terms: Term[]; mailDir: string; show: (e: XjEvent) => void; onEvent: (e: XjEvent) => void }): Promise<WatchFacts> {
  const county = o.county;
  const alerting = alertingFor(o.dataDir, { mailTo: 'researcher@example.org', mailDir: o.mailDir });
  const settings: Settings = {
    ...alerting.settings,
    watch: { ...DEFAULT_WATCH, jitterSeconds: 0, outboxSeconds: 2 },
    revisit: { ...DEFAULT_REVISIT, hitsHours: 2 / 3600, youngHours: 2 / 3600, suspectedMinutes: 2 / 60 },
  };
  const lock = WriterLock.take(o.dataDir, 'demo watch');
  const started = Date.now();
  const sources = county.postings.filter((p) => p.terms.length > 0 && !county.gone.has(p.id));
  const fresh = { ...sources[4]!, id: 9901, title: `${county.title}关于新建扶贫车间的公示`, views: 1 };
  const edited = sources[5]!;
  const removed = sources[6]!;
  const at: Record<'new' | 'edit' | 'deletion', number | undefined> = { new: undefined, edit: undefined, deletion: undefined };
  const made: Record<'new' | 'edit' | 'deletion', number> = { new: 0, edit: 0, deletion: 0 };
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const seen = (what: 'new' | 'edit' | 'deletion') => {
    at[what] ??= (Date.now() - made[what]) / 1000;
    if (at.new !== undefined && at.edit !== undefined && at.deletion !== undefined) resolveAll();
  };
  const watcher = new Watcher({
    dataDir: o.dataDir,
    sites: [{ ...o.site, schedule: SCHEDULE, screenshots: false }],
    terms: o.terms,
    settings,
    userAgent: userAgent(),
    confirmAfter: 2,
    emit: (e) => {
      o.onEvent(e);
      o.show(e);
      if (e.kind === 'new_posting' && e.url === county.postingUrl(fresh)) seen('new');
      if (e.kind === 'changed' && e.url === county.postingUrl(edited)) seen('edit');
      if (e.kind === 'deleted' && e.url === county.postingUrl(removed)) seen('deletion');
    },
    log: (line) => err(dim(`   ${line}`)),
    arm: (ctx) => armAlerts(ctx, alerting, o.terms),
    deliver: () => sendAlerts(o.dataDir, alerting, o.terms, { mailDir: o.mailDir }),
    onBrowserUnavailable: browserUnavailableNotice,
    onWriteFailure: () => resolveAll(),
  });
  try {
    watcher.start();
    // the site changes while it is watched: a new posting, an edit, a take-down
    made.new = Date.now();
    county.add(fresh);
    made.edit = Date.now();
    county.edit(edited.id, (p) => p.paragraphs.push('各乡镇要加快卫星工厂建设进度，确保年底前全部投产。'));
    made.deletion = Date.now();
    county.delete(removed.id, '404');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, LIMIT_MS)))]);
    clearTimeout(timer);
    await watcher.stop(25_000);
  } finally {
    lock.release();
  }
  return {
    seconds: (Date.now() - started) / 1000,
    arrived: (['new', 'edit', 'deletion'] as const).map((what) => ({ what, after: at[what] })),
  };
}
