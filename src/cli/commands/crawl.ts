import { resolveRunTargets, runTargetDirs } from '../../config/run-targets.js';
import type { XjEvent } from '../../detect/events.js';
import { runPass } from '../../schedule/pass.js';
import { priorOptions } from '../../schedule/prior.js';
import { PassProgress } from '../../schedule/progress.js';
import type { SiteOutcome } from '../../schedule/site-pass.js';
import { capturedInRun, checksOfRun, siteOfPage } from '../../store/queries.js';
import { PACKAGE_ROOT } from '../../version.js';
import { browserUnavailableNotice, proxyNotices, dataDirOf, err, EXIT_OK, EXIT_RUNTIME, printJson, safe, userAgent, type CommonOptions } from '../common.js';
import { loadTerms } from '../term-option.js';
import { printEventHuman } from '../format.js';
import { startProgress } from '../progress-line.js';
import { openWriterRun, writeFailure } from '../writer.js';
import { alertingFor, armAlerts, sendAlerts, type MailOptions } from '../alerting.js';
import { listPageReports, printListReport, unreachableListSites, type ListPageReport } from '../list-report.js';

export interface CrawlOptions extends CommonOptions, MailOptions {
  /** false: exit 1 at once when another run writes the data directory (default: wait) */
  wait?: boolean;
  terms?: string;
  follow?: string;
  maxPages?: number;
  delay?: number;
  allPostings?: boolean;
  recheck?: 'all' | 'due' | 'none';
  confirmAfter?: number;
  screenshots?: boolean;
  /** how to show an event in human output (the demo shows one line each) */
  showEvent?: (e: XjEvent) => void;
  /** told of every event, whatever the output (the demo's summary is built from them) */
  onEvent?: (e: XjEvent) => void;
}

export async function crawlCommand(targets: string[], opts: CrawlOptions): Promise<number> {
  const dataDir = dataDirOf(opts);
  const dirs = runTargetDirs(dataDir, PACKAGE_ROOT);
  const adhoc = { follow: opts.follow, maxPages: opts.maxPages, delayMs: opts.delay };
  // bad targets are told before waiting for another run to finish
  proxyNotices(resolveRunTargets(targets, dirs, adhoc).sites);
  const { terms } = loadTerms(opts.terms);
  const alerting = alertingFor(dataDir, opts);
  const ctx = await openWriterRun(dataDir, `crawl ${targets.join(' ')}`, opts);
  // a listed page already catalogued is checked on the site it was captured under
  let resolved: ReturnType<typeof resolveRunTargets>;
  try {
    resolved = resolveRunTargets(targets, dirs, adhoc, (url) => siteOfPage(ctx.db, url)?.site_id);
  } catch (e) {
    ctx.finish('failed', { events: 0 });
    throw e;
  }
  const { sites, listOnly } = resolved;
  for (const p of resolved.problems) err(`xjwatch: a watch list of the data directory is left out of this run: ${p}`);
  armAlerts(ctx, alerting, terms);
  const progress = new PassProgress();
  const stopProgress = startProgress(() => progress.line());
  const events: XjEvent[] = [];
  const emit = (e: XjEvent) => {
    events.push(e);
    opts.onEvent?.(e);
    if (opts.json) printJson(e);
    else (opts.showEvent ?? printEventHuman)(e);
  };
  let outcomes: SiteOutcome[] = [];
  let listReports: ListPageReport[] | undefined;
  let status: 'ok' | 'failed' | 'interrupted' = 'failed';
  let failure: unknown;
  const onSignal = () => {
    stopProgress();
    err('xjwatch: interrupted; everything captured so far is kept');
    ctx.finish('interrupted', { events: events.length });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    outcomes = await runPass(ctx, sites, {
      terms,
      userAgent: userAgent(),
      allPostings: Boolean(opts.allPostings),
      maxPages: opts.maxPages,
      // a site only a watch list reaches: its listed pages (what `check` does), unless told otherwise
      recheck: (site) => {
        const listed = listOnly.get(site.id);
        const mode = opts.recheck ?? 'all';
        return listed && mode === 'all' ? { urls: listed } : mode;
      },
      revisit: alerting.settings.revisit,
      operator: alerting.settings.operator,
      prior: priorOptions(alerting.settings.prior.wayback),
      confirmAfter: opts.confirmAfter ?? 2,
      screenshots: opts.screenshots !== false,
      emit,
      progress,
      onBrowserUnavailable: browserUnavailableNotice,
    });
    status = 'ok';
  } catch (e) {
    failure = e;
  } finally {
    stopProgress();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    try {
      // read before the catalogue closes: how each listed page fared
      if (listOnly.size && status === 'ok') listReports = listPageReports(listOnly, checksOfRun(ctx.db, ctx.runId), capturedInRun(ctx.db, ctx.runId), outcomes);
      ctx.finish(status, { events: events.length, sites: outcomes });
    } catch (e) {
      failure ??= e; // a full disk shows first here: the run's last writes
    }
  }
  if (failure !== undefined) throw writeFailure(failure, dataDir) ?? failure;
  printSummary(outcomes, events, progress, dataDir, ctx.runId);
  let listDown: string[] = [];
  if (listReports) {
    printListReport(listReports, resolved.lists.map((l) => l.name));
    listDown = unreachableListSites(listReports);
    for (const s of listDown) err(`  ${s}: UNREACHABLE — none of its listed pages answered (never a deletion: see \`xjwatch check\` later)`);
  }
  await sendAlerts(dataDir, alerting, terms, opts);
  return outcomes.some((o) => o.unreachable) || listDown.length ? EXIT_RUNTIME : EXIT_OK;
}

function printSummary(outcomes: SiteOutcome[], events: XjEvent[], progress: PassProgress, dataDir: string, runId: number): void {
  const secs = ((Date.now() - progress.startedAt) / 1000).toFixed(1);
  const sum = (f: (o: SiteOutcome) => number) => outcomes.reduce((a, o) => a + f(o), 0);
  err(
    `xjwatch: crawled ${outcomes.length} site(s) in ${secs} s: ${sum((o) => o.listPages)} list page(s), ${sum((o) => o.postingsSeen)} posting link(s), ` +
      `${sum((o) => o.newPostings)} new posting(s), ${sum((o) => o.reported)} reported, ${sum((o) => o.attachments)} attachment(s), ` +
      `${sum((o) => o.failures.length)} failed fetch(es), ${sum((o) => o.problems.length)} problem(s); ${events.length} event(s)`,
  );
  const pictures = sum((o) => o.renderings);
  if (pictures) err(`xjwatch: ${pictures} screenshot(s) and PDF print(s) made (see \`xjwatch history <URL>\`)`);
  for (const o of outcomes) for (const p of o.priorCaptures) err(`xjwatch: ${o.site}: gone at its first fetch; kept the Internet Archive's capture of ${p.archivedAt} as a third-party capture: ${safe(p.url)}`);
  const checked = sum((o) => o.checks.checked);
  const files = sum((o) => o.checks.attachments);
  if (checked) {
    err(
      `xjwatch: rechecked ${checked - files} known posting(s)${files ? ` and ${files} of their attachment(s)` : ''}: ${sum((o) => o.checks.unchanged)} unchanged, ${sum((o) => o.checks.trivial)} changed only trivially, ` +
        `${sum((o) => o.checks.changed)} changed, ${sum((o) => o.checks.gone)} gone, ${sum((o) => o.checks.unreachable)} unreachable or blocked`,
    );
  }
  for (const o of outcomes) {
    // URLs, messages and problems carry page and header content: no terminal controls through
    if (o.unreachable) err(`  ${o.site}: UNREACHABLE — no list page could be fetched: ${safe(o.listFailures.join('; '))}`);
    else if (o.listFailures.length) err(`  ${o.site}: list pages failed: ${safe(o.listFailures.join('; '))}`);
    // a few of each kind, then a count: an outage is one line, not a page per URL
    const byKind = new Map<string, typeof o.failures>();
    for (const f of o.failures) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f]);
    for (const [kind, list] of byKind) {
      for (const f of list.slice(0, 3)) err(`  ${o.site}: failed ${kind}: ${safe(f.url)} (${safe(f.message)})`);
      if (list.length > 3) err(`  ${o.site}: … and ${list.length - 3} more failed ${kind} (see \`xjwatch history <URL>\`)`);
    }
    for (const p of o.problems.slice(0, 20)) err(`  ${o.site}: ${safe(p.problem)}: ${safe(p.url)}`);
    if (o.problems.length > 20) err(`  ${o.site}: … and ${o.problems.length - 20} more problems`);
  }
  err(`xjwatch: kept in ${dataDir} (run ${runId})`);
}
