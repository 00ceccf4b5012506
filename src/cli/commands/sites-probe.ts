import { InputError } from '../../config/errors.js';
import { loadSiteCode, type SiteCode } from '../../config/site-code.js';
import { findSiteFile, listSiteFiles, loadSiteFile, siteDirs, type Site } from '../../config/site-file.js';
import { probeVerdict, type ListProbeReading, type ProbeVerdict } from '../../detect/list-probe.js';
import { BrowserFetchers } from '../../fetch/browser.js';
import { HostGate } from '../../fetch/host-gate.js';
import { probeSite } from '../../schedule/probe.js';
import { PACKAGE_ROOT } from '../../version.js';
import { browserUnavailableNotice, dataDirOf, err, EXIT_OK, EXIT_RUNTIME, out, printJson, proxyNotices, safe, userAgent, type CommonOptions } from '../common.js';
import { dim, green, red, yellow } from '../format.js';
import { openWriterRun, writeFailure } from '../writer.js';

export interface ProbeOptions extends CommonOptions {
  wait?: boolean;
}

/** Some list fails: the site file needs work (its selectors, its URLs). */
export const EXIT_PROBE_FAILED = 3;

/**
 * `sites --probe [id...]`: do the live lists still yield postings a crawl can read? Fetched as a
 * crawl fetches and recorded as a run of its own (the WARC is the evidence of what the sites
 * showed), but nothing is catalogued as a page or an event. Exit 0: every list passed; 3: some
 * list failed; 1: none failed but some could not be reached from here; 2: nothing to probe.
 */
export async function probeCommand(ids: string[], opts: ProbeOptions): Promise<number> {
  const dataDir = dataDirOf(opts);
  const sites = probeTargets(ids, siteDirs(dataDir, PACKAGE_ROOT));
  proxyNotices(sites);
  for (const s of sites.filter((s) => !s.lists.length)) err(`xjwatch: ${s.id} has no lists to probe (its pinned pages are checked by \`xjwatch crawl ${s.id}\`)`);
  // no list at all is no verdict: never "every list passed"
  if (!sites.some((s) => s.lists.length)) {
    err('xjwatch: nothing to probe: none of these sites has a list');
    return 2;
  }
  // the sites' own code (crawlers/<name>.ts), each module loaded once, before the data directory is taken
  const codes = new Map<string, SiteCode>();
  for (const s of sites) if (s.code && !codes.has(s.code)) codes.set(s.code, await loadSiteCode(s.code));
  const ctx = await openWriterRun(dataDir, `sites --probe${ids.length ? ` ${ids.join(' ')}` : ''}`, opts);
  const browsers = new BrowserFetchers({ userAgent: userAgent(), sink: ctx.recorder.record, challengeTimeoutMs: 30_000, navigationTimeoutMs: 60_000, onUnavailable: browserUnavailableNotice });
  // one politeness gate per host across the sites probed at once, as the watcher keeps it
  const hostGate = new HostGate(1, 1000);
  err(`xjwatch: probing ${sites.reduce((n, s) => n + s.lists.length, 0)} list(s) of ${sites.length} site(s) now, politely (a host that does not answer takes its timeout and retries)…`);
  let results: { reading: ListProbeReading; verdict: ProbeVerdict }[] = [];
  let status: 'ok' | 'failed' | 'interrupted' = 'failed';
  let failure: unknown;
  const onSignal = () => {
    err('xjwatch: interrupted; what was fetched so far is kept');
    ctx.finish('interrupted', { probe: [] });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const readings = await Promise.all(
      sites.map((site) => probeSite(site, { userAgent: userAgent(), sink: ctx.recorder.record, stop: ctx.signal, hostGate, browser: site.fetch === 'http' ? undefined : browsers.via(site.proxy), code: site.code ? codes.get(site.code) : undefined })),
    );
    ctx.throwIfHalted();
    results = readings.flat().map((reading) => ({ reading, verdict: probeVerdict(reading) }));
    status = 'ok';
  } catch (e) {
    failure = e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await browsers.close();
    try {
      ctx.finish(status, { probe: results.map((r) => ({ site: r.reading.site, list: r.reading.list, verdict: r.verdict.verdict, why: r.verdict.why })) });
    } catch (e) {
      failure ??= e;
    }
  }
  if (failure !== undefined) throw writeFailure(failure, dataDir) ?? failure;
  for (const r of results) {
    if (opts.json) printJson({ ...r.reading, ...r.verdict });
    else out(probeLine(r.reading, r.verdict));
  }
  const count = (v: ProbeVerdict['verdict']) => results.filter((r) => r.verdict.verdict === v).length;
  err(`xjwatch: probed ${results.length} list(s) of ${sites.length} site(s): ${count('pass')} passed, ${count('fail')} failed, ${count('unreachable')} unreachable; recorded as run ${ctx.runId} in ${dataDir}`);
  if (count('unreachable')) err('xjwatch: unreachable is not broken: probe again from a network that reaches the sites, or through a proxy (README: Reaching the sites)');
  return count('fail') ? EXIT_PROBE_FAILED : count('unreachable') ? EXIT_RUNTIME : EXIT_OK;
}

/** Site ids (data directory's sites/, then crawlers/) or site files; none: every site file. */
function probeTargets(ids: string[], dirs: string[]): Site[] {
  if (!ids.length) return [...listSiteFiles(dirs).values()].map((f) => loadSiteFile(f));
  return ids.map((id) => {
    if (/\.ya?ml$/i.test(id)) return loadSiteFile(id);
    const file = findSiteFile(id, dirs);
    if (!file) throw new InputError(`no site "${id}" (looked for ${id}.yaml in ${dirs.join(', ')})`);
    return loadSiteFile(file);
  });
}

/** Page text for one terminal line: no controls, cut to `max` characters. */
function shown(s: string | undefined, max: number): string {
  const t = safe(s).replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function probeLine(r: ListProbeReading, v: ProbeVerdict): string {
  const tag = v.verdict === 'pass' ? green('PASS       ') : v.verdict === 'fail' ? red('FAIL       ') : yellow('UNREACHABLE');
  const parts: string[] = [];
  const f = r.first;
  if (f.method) parts.push(`${f.fallback ? `url-shape fallback (links: ${shown(f.fallback.links, 40)} matches nothing)` : f.method} ${f.postings} posting(s)`);
  if (r.next?.method) parts.push(`page 2: ${r.next.postings}`);
  else if (r.next?.generated && r.next.status === 404) parts.push('one page');
  for (const s of r.samples.slice(0, 1)) {
    if (s.document) parts.push(`“${shown(s.title, 40)}” ${s.document}`);
    else if (s.title !== undefined || s.textChars !== undefined) parts.push(`“${shown(s.title, 40)}” ${s.published ?? 'no date'}${s.dateSource ? dim(` (${s.dateSource})`) : ''} ${s.textChars ?? 0} chars: ${shown(s.text, 50)}`);
  }
  const why = v.verdict === 'pass' ? '' : `  — ${shown(v.why, 200)}`;
  return `${tag}  ${r.site}  ${shown(r.list, 120)}  ${parts.join(' · ')}${why}`;
}
