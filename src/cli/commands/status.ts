import { loadSettings } from '../../config/settings.js';
import { statusReport } from '../../schedule/status-report.js';
import { openDb } from '../../store/db.js';
import { existingDataDir, out, printJson, safe, type CommonOptions } from '../common.js';
import { bold, dim, red } from '../format.js';

interface StatusOptions extends CommonOptions {
  config?: string;
}

/** `xjwatch status`: schedule/status-report.ts's report, printed. */
export function statusCommand(opts: StatusOptions): number {
  const dataDir = existingDataDir(opts);
  const settings = loadSettings(dataDir, opts.config);
  const db = openDb(dataDir, { readonly: true });
  try {
    const { watcher, sites, outbox, operator, disk } = statusReport(dataDir, db, settings);
    if (opts.json) {
      printJson({ watcher, sites, outbox, operator, disk });
      return 0;
    }
    out(bold('watcher'));
    if (!watcher) out('  no watcher has run on this data directory (`xjwatch watch`)');
    else if (watcher.running) out(`  running: pid ${watcher.pid} since ${watcher.started_at}, ${watcher.rss_mb} MB, last heard of ${watcher.updated_at}`);
    else out(red(`  not running (pid ${watcher.pid}${watcher.stopped_at ? `, stopped ${watcher.stopped_at}` : `, last heard of ${watcher.updated_at}: it did not stop cleanly`})`));
    out(bold('sites'));
    for (const s of sites) {
      const last = s.last_run ? `last run ${s.last_run.started_at} ${s.last_run.status}${s.last_run.new_postings !== undefined ? ` (${s.last_run.new_postings} new of ${s.last_run.postings_seen} seen, ${s.last_run.failures} failed)` : ''}` : 'never run';
      out(`  ${s.id}  ${safe(s.name)}`);
      out(`    ${last}; next run ${s.running_since ? `running since ${s.running_since}` : (s.next_run ?? '— (no watcher)')}`);
      out(`    ${s.postings} posting(s): ${s.due_now} due for a recheck now${s.next_due ? `, next due ${s.next_due}` : ''}; ${s.suspected} suspected, ${s.deleted} deleted`);
      if (s.trouble) out(red(`    ${s.trouble} since ${s.trouble_since} (${s.trouble_streak} run(s) in a row)`));
    }
    out(bold('outbox'));
    out(`  ${outbox.queued} mail(s) queued${outbox.oldest ? ` (oldest ${outbox.oldest})` : ''}, ${outbox.failing} failing${outbox.last_error ? `: ${safe(outbox.last_error)}` : ''}; ${outbox.waiting_alerts} alert(s) waiting for their digest`);
    out(bold('operator'));
    if (!operator.length) out('  no open problems');
    for (const p of operator) out(red(`  ${p.problem}: ${safe(p.summary)} (reported ${p.raised_at})`));
    out(bold('disk'));
    out(`  ${disk.free_mb} MiB free on the data directory's disk; catalogue ${disk.catalogue_mb} MiB`);
    out(dim('  (--json for all of it)'));
    return 0;
  } finally {
    db.close();
  }
}
