import { adhocSite } from '../../config/adhoc-site.js';
import { InputError } from '../../config/errors.js';
import { findSiteFile, loadSiteFile, resolveSite, siteDirs, type Site } from '../../config/site-file.js';
import { siteSchema } from '../../config/site-schema.js';
import { resolveTargets } from '../../config/targets.js';
import type { XjEvent } from '../../detect/events.js';
import { runPass } from '../../schedule/pass.js';
import { priorOptions } from '../../schedule/prior.js';
import type { SiteOutcome } from '../../schedule/site-outcome.js';
import { PassProgress } from '../../schedule/progress.js';
import { checksOfRun, siteOfPage } from '../../store/queries.js';
import { PACKAGE_ROOT } from '../../version.js';
import { alertingFor, armAlerts, sendAlerts, type MailOptions } from '../alerting.js';
import { browserUnavailableNotice, dataDirOf, err, out, printJson, safe, userAgent, type CommonOptions } from '../common.js';
import { loadTerms } from '../term-option.js';
import { dim, printEventHuman } from '../format.js';
import { startProgress } from '../progress-line.js';
import { openWriterRun, writeFailure } from '../writer.js';

export interface CheckOptions extends CommonOptions, MailOptions {
  /** false: exit 1 at once when another run writes the data directory (default: wait) */
  wait?: boolean;
  confirmAfter?: number;
  terms?: string;
  screenshot?: boolean;
  /** look up a prior capture in the Internet Archive for a page gone at its first fetch (as settings' prior.wayback) */
  prior?: boolean;
}

/**
 * `xjwatch check <URL>...`: fetch the pages now, with the controls of their sites, compare with
 * their last captures and report, as a crawl's recheck would. A URL never captured gets its first
 * capture.
 */
export async function checkCommand(urls: string[], opts: CheckOptions): Promise<number> {
  for (const u of urls) {
    if (!/^https?:\/\//i.test(u)) throw new InputError(`"${u}" is not an http(s) URL`);
  }
  const dataDir = dataDirOf(opts);
  const dirs = siteDirs(dataDir, PACKAGE_ROOT);
  const alerting = alertingFor(dataDir, opts);
  const { terms } = loadTerms(opts.terms);
  const ctx = await openWriterRun(dataDir, `check ${urls.join(' ')}`, opts);
  armAlerts(ctx, alerting, terms);
  const bySite = new Map<string, Site>();
  const urlsOf = new Map<string, string[]>();
  for (const url of urls) {
    const known = siteOfPage(ctx.db, url);
    let site: Site;
    if (known) {
      const file = findSiteFile(known.site_id, dirs);
      site = file ? loadSiteFile(file) : resolveSite(siteSchema.parse({ id: known.site_id, name: known.name, home: known.home, lists: [{ url: known.home }] }), 'catalogue');
    } else {
      site = resolveTargets([url], dirs, {})[0] ?? adhocSite(url, undefined, {});
    }
    bySite.set(site.id, site);
    urlsOf.set(site.id, [...(urlsOf.get(site.id) ?? []), url]);
  }
  const progress = new PassProgress();
  const stop = startProgress(() => progress.line());
  const events: XjEvent[] = [];
  let status: 'ok' | 'failed' = 'failed';
  let failure: unknown;
  let outcomes: SiteOutcome[] = [];
  try {
    outcomes = await runPass(ctx, [...bySite.values()], {
      terms,
      userAgent: userAgent(),
      allPostings: true,
      // each site its own URLs: a page never captured is fetched once, by the site it belongs to
      recheck: (site) => ({ urls: urlsOf.get(site.id) ?? [] }),
      confirmAfter: opts.confirmAfter ?? 2,
      prior: priorOptions(Boolean(opts.prior) || alerting.settings.prior.wayback),
      lists: false,
      screenshots: true,
      screenshotUrls: opts.screenshot ? urls : [],
      emit: (e) => {
        events.push(e);
        if (opts.json) printJson(e);
        else printEventHuman(e);
      },
      progress,
      onBrowserUnavailable: browserUnavailableNotice,
    });
    status = 'ok';
  } catch (e) {
    failure = e;
  } finally {
    stop();
    const verdicts = checksOfRun(ctx.db, ctx.runId);
    for (const v of verdicts) {
      err(`${safe(v.url)}: ${v.outcome}${v.reason ? ` (${v.reason})` : ''}${v.detail ? ` — ${safe(v.detail)}` : ''}${v.counted ? dim(` [${v.fail_count} check(s) in a row]`) : ''}`);
    }
    for (const o of outcomes) {
      for (const p of o.priorCaptures) err(`${safe(p.url)}: gone at its first fetch; kept the Internet Archive's capture of ${p.archivedAt} as a third-party capture (${safe(p.archiveUrl)})`);
      for (const p of o.problems) err(`${safe(p.url)}: ${safe(p.problem)}`);
    }
    if (!opts.json && events.length === 0 && verdicts.length) out(dim('nothing to report: no change since the last check'));
    try {
      ctx.finish(status, { events: events.length });
    } catch (e) {
      failure ??= e;
    }
  }
  if (failure !== undefined) throw writeFailure(failure, dataDir) ?? failure;
  await sendAlerts(dataDir, alerting, terms, opts);
  return 0;
}
