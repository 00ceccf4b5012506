import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { resolveRunTargets, runTargetDirs } from '../../config/run-targets.js';
import { listSiteFiles, type Site } from '../../config/site-file.js';
import { listWatchLists } from '../../config/watch-list.js';
import type { XjEvent } from '../../detect/events.js';
import { Watcher, type RunStatus, type WatcherOptions } from '../../schedule/watcher.js';
import { planWorkers, WatcherPool } from '../../schedule/watch-pool.js';
import type { TeamQueue } from '../../schedule/team-queue.js';
import { redact } from '../../store/pg/connection.js';
import { catalogueUrl } from '../../store/storage-setting.js';
import type { SiteOutcome } from '../../schedule/site-outcome.js';
import { writeFileAtomic } from '../../store/atomic.js';
import { DataDirBusy, WriterLock } from '../../store/writer-lock.js';
import { openDb } from '../../store/db.js';
import { endAbandonedRuns } from '../../store/run-records.js';
import { siteOfPage } from '../../store/queries.js';
import { PACKAGE_ROOT } from '../../version.js';
import { alertingFor, armAlerts, sendAlerts, type MailOptions } from '../alerting.js';
import { browserUnavailableNotice, dataDirOf, proxyNotices, err, printJson, RuntimeFailure, safe, userAgent, type CommonOptions } from '../common.js';
import { printEventHuman } from '../format.js';
import { loadTerms } from '../term-option.js';
import { writeFailure } from '../writer.js';
import { entryUrl } from '../../entries.js';

export interface WatchOptions extends CommonOptions, MailOptions {
  terms?: string;
  /** run every site once at start, then on its schedule */
  now?: boolean;
  wait?: boolean;
  confirmAfter?: number;
}

/** How long a stop waits for the runs in flight (systemd's default stop timeout is 90 s; the aim 30 s). */
const GRACE_MS = 25_000;
const HEARTBEAT_MS = 10_000;

/**
 * `xjwatch watch [site...]`: runs until stopped. The data directory is its own for as long as it
 * runs (the writer lock: a crawl started meanwhile waits, readers go on); watch.json beside the
 * catalogue says what it is doing, for `xjwatch status`.
 */
export async function watchCommand(targets: string[], opts: WatchOptions): Promise<number> {
  const dataDir = dataDirOf(opts);
  // by default every site file and every watch list of the data directory
  const ids = targets.length ? targets : [...listSiteFiles([join(dataDir, 'sites')]).keys(), ...listWatchLists([join(dataDir, 'lists')]).values()];
  if (!ids.length) throw new RuntimeFailure(`no sites to watch: name them (\`xjwatch watch kashi xinjiang zenz-2019\`) or put their site files in ${join(dataDir, 'sites')} and watch lists in ${join(dataDir, 'lists')}`);
  const known = knownSites(dataDir);
  const resolved = resolveRunTargets(ids, runTargetDirs(dataDir, PACKAGE_ROOT), {}, known.lookup);
  known.close();
  const sites = resolved.sites;
  proxyNotices(sites);
  for (const p of resolved.problems) err(`xjwatch: a watch list of the data directory is left out: ${p}`);
  const { terms } = loadTerms(opts.terms);
  const alerting = alertingFor(dataDir, opts);
  const command = `watch ${ids.join(' ')}`;
  // team storage: runs come from the team's job queue, each taking the team's writer lock shared
  const team = catalogueUrl();
  const lockOpts = { team: !team };
  let lock: WriterLock;
  try {
    lock = opts.wait === false ? WriterLock.take(dataDir, command, lockOpts) : await WriterLock.wait(dataDir, command, (busy) => err(`xjwatch: ${busy.message}; waiting for it to finish (--no-wait exits instead)`), 1000, lockOpts);
  } catch (e) {
    if (e instanceof DataDirBusy) throw new RuntimeFailure(`${e.message}; not started (--no-wait). One watcher per data directory.`);
    throw writeFailure(e, dataDir) ?? e;
  }
  // the data directory's one writer now: a killed watcher's or crawl's runs end as interrupted
  // (with a team catalogue the queue ends those of dead watchers: team-queue.ts)
  try {
    if (!team) endAbandonedRuns(dataDir);
  } catch (e) {
    lock.release();
    throw writeFailure(e, dataDir) ?? e;
  }

  const emit = (e: XjEvent) => {
    if (opts.json) printJson(e);
    else printEventHuman(e);
    // the operator's problems also go to the log (the journal), where whoever runs the service looks
    if (e.kind === 'operator') err(`xjwatch: operator: ${e.problem} ${e.state}: ${safe(e.summary)}`);
  };
  let failed: unknown;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const wiring: WatcherOptions = {
    dataDir,
    sites,
    terms,
    settings: alerting.settings,
    userAgent: userAgent(),
    confirmAfter: opts.confirmAfter ?? 2,
    emit,
    log: (line) => err(`xjwatch: ${safe(line)}`),
    arm: (ctx) => armAlerts(ctx, alerting, terms),
    deliver: () => sendAlerts(dataDir, alerting, terms, opts),
    onBrowserUnavailable: browserUnavailableNotice,
    onRun: (site, outcome, status) => {
      err(`xjwatch: ${runLine(site, outcome, status)}`);
      afterRun();
    },
    onWriteFailure: (failure) => {
      failed ??= failure;
      resolveDone();
    },
    ...(team
      ? {
          enqueue: (site: Site, due: string) =>
            void queue
              ?.enqueue(site, due)
              .then((queued) => queued && err(`xjwatch: ${site.id}: run due ${due} queued for the team's watchers`))
              .catch((e: Error) => err(`xjwatch: ${site.id}: could not queue the run due ${due}: ${safe(e.message)}`)),
        }
      : {}),
  };
  let queue: TeamQueue | undefined;
  const shares = planWorkers(sites, alerting.settings.watch);
  const watcher =
    !team && shares.length > 1
      ? new WatcherPool({
          ...wiring,
          shares,
          workerUrl: entryUrl('watch-worker', new URL('../watch-worker.js', import.meta.url)),
          wiring: alerting,
          onWorkerCrash: (problem) => {
            err(`xjwatch: ${problem}; stopping the watcher`);
            failed ??= new RuntimeFailure(`${problem}. The watcher stopped; what was recorded is kept, and a restart resumes.`);
            resolveDone();
          },
        })
      : new Watcher(wiring);
  const statePath = join(dataDir, 'watch.json');
  const heartbeat = (extra: object = {}) => {
    try {
      writeFileAtomic(statePath, `${JSON.stringify({ ...watcher.state(), ...extra }, null, 1)}\n`);
    } catch {
      // a full disk shows in the runs themselves; the status file is only a convenience
    }
  };
  // many workers end runs faster than one thread can rewrite every site's state: at most once a second
  let beatSoon: NodeJS.Timeout | undefined;
  const afterRun = () => {
    if (!(watcher instanceof WatcherPool)) return heartbeat();
    beatSoon ??= setTimeout(() => ((beatSoon = undefined), heartbeat()), 1000);
  };
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (++signals > 1) process.exit(130); // a second Ctrl-C: now
    err(`xjwatch: ${sig}: stopping — the runs in flight finish what they have asked for (at most ${GRACE_MS / 1000} s); Ctrl-C again to quit now`);
    resolveDone();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (team && watcher instanceof Watcher) {
    try {
      const { TeamQueue } = await import('../../schedule/team-queue.js');
      queue = await TeamQueue.start({
        url: team,
        sites,
        concurrency: alerting.settings.watch.concurrency,
        runSite: (site) => watcher.runJob(site),
        log: (line) => err(`xjwatch: ${safe(line)}`),
        onLost: (problem) => {
          failed ??= new RuntimeFailure(`${problem}: the other watchers now take this one's jobs, so it stopped. What was recorded is kept, and a restart resumes.`);
          resolveDone();
        },
      });
    } catch (e) {
      lock.release();
      throw new RuntimeFailure(`the team's job queue in ${redact(team)} could not be started: ${(e as Error).message}`);
    }
    err(`xjwatch: on the team's job queue in ${redact(team)}: ${sites.length} site(s) taken here, one run at a time per host across all watchers`);
  }
  watcher.start(Boolean(opts.now));
  heartbeat();
  const beat = setInterval(() => heartbeat(), HEARTBEAT_MS);
  if (watcher instanceof WatcherPool) err(`xjwatch: ${sites.length} sites over ${shares.length} worker threads (a host's sites in one)`);
  for (const s of watcher.state().sites) err(`xjwatch: watching ${s.id} on "${s.schedule}" (${s.timezone}); next run ${opts.now ? 'now' : (s.next_run ?? '?')}`);

  await done;
  clearInterval(beat);
  clearTimeout(beatSoon);
  const [clean] = await Promise.all([watcher.stop(GRACE_MS), queue?.stop()]);
  heartbeat({ stopped_at: new Date().toISOString() });
  lock.release();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (failed !== undefined) throw writeFailure(failed, dataDir) ?? failed;
  err(clean ? 'xjwatch: stopped; every run finished and was sealed' : `xjwatch: stopped after ${GRACE_MS / 1000} s with a run unfinished; what it recorded is kept (as after a crash) and the next start resumes its work`);
  return 0;
}

function runLine(site: string, o: SiteOutcome | undefined, status: RunStatus): string {
  if (!o) return `${site}: run ${status}`;
  const c = o.checks;
  const parts = [
    `${o.newPostings} new posting(s) (${o.reported} reported)`,
    `${o.listPages} list page(s)`,
    `${c.checked} recheck(s): ${c.changed} changed, ${c.gone} gone, ${c.unreachable} unreachable`,
    `${o.failures.length} failed fetch(es)`,
  ];
  return `${site}: run ${status}${o.unreachable ? ' — UNREACHABLE' : ''}: ${parts.join(', ')}`;
}

/** The sites listed pages are catalogued under (a page captured before stays with its history). */
function knownSites(dataDir: string): { lookup: (url: string) => string | undefined; close: () => void } {
  if (!existsSync(join(dataDir, 'xjwatch.db'))) return { lookup: () => undefined, close: () => undefined };
  const db = openDb(dataDir, { readonly: true });
  return { lookup: (url) => siteOfPage(db, url)?.site_id, close: () => db.close() };
}
