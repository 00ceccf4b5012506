import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { InputError } from '../../config/errors.js';
import { findSiteFile, siteDirs } from '../../config/site-file.js';
import { SiteIndex } from '../../config/site-of-url.js';
import { buildWatchList, type CitedPage } from '../../config/watch-list-build.js';
import { listNameFrom } from '../../config/watch-list.js';
import { watchListYaml } from '../../config/watch-list-write.js';
import { extractCitations, type ArchiveOnly } from '../../extract/citations.js';
import { DocumentTextExtractor } from '../../extract/document-text/extractor.js';
import { reportText } from '../../extract/report-text.js';
import { writeFileAtomic } from '../../store/atomic.js';
import { PACKAGE_ROOT } from '../../version.js';
import { dataDirOf, err, out, printJson, safe, type CommonOptions } from '../common.js';

export interface ImportOptions extends CommonOptions {
  name?: string;
  title?: string;
  out?: string;
  /** more hosts to watch besides government ones (comma-separated patterns) */
  hosts?: string;
  force?: boolean;
}

/** Reports are megabytes; a scanned one with images tens of them. */
const MAX_REPORT_BYTES = 200 * 1024 * 1024;

/**
 * `xjwatch import <report>`: the government pages a report cites, with their footnotes, into a
 * watch list (`<data-dir>/lists/<name>.yaml`, or --out) that `crawl <name>` checks and `watch`
 * keeps pinned. Prints what it found by host (--json: the entries, one per line).
 */
export async function importCommand(report: string, opts: ImportOptions): Promise<number> {
  const dataDir = dataDirOf(opts);
  const hosts = hostPatterns(opts.hosts);
  const bytes = readReport(report);
  const name = opts.name ?? listNameFrom(report);
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name)) throw new InputError(`"${name}" must be lower-case letters, digits, - or _ (at most 64)`, undefined, undefined, '--name');
  const dirs = siteDirs(dataDir, PACKAGE_ROOT);
  if (findSiteFile(name, dirs)) throw new InputError(`"${name}" is the id of a site (${findSiteFile(name, dirs)}); give the list another name, so that \`crawl ${name}\` is not ambiguous`, undefined, undefined, '--name');
  const target = resolve(opts.out ?? join(dataDir, 'lists', `${name}.yaml`));

  const documents = new DocumentTextExtractor({ timeoutMs: 120_000 });
  let read;
  try {
    read = await reportText(bytes, report, documents);
  } finally {
    await documents.close();
  }
  if ('problem' in read) throw new InputError(read.problem, report);
  const found = extractCitations(read.text, { urlList: read.kind === 'url-list', html: read.kind === 'html' });
  if (found.citations.length === 0 && found.archiveOnly.length === 0) throw new InputError(`no URLs found in it (read as ${read.kind})`, report);

  // the report is read first: what is wrong with it is the news, not an older list
  if (existsSync(target) && !opts.force) throw new InputError(`exists already (a list imported before, perhaps edited by hand); --force replaces it`, target);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const index = new SiteIndex(dirs, false);
  const { list, left } = buildWatchList(found.citations, { name, title: opts.title, source: { file: basename(report), sha256 }, importedAt: new Date().toISOString(), index, hosts });
  if (list.entries.length === 0) {
    throw new InputError(`cites ${found.citations.length} page(s), none on a government host (under gov.cn) or a watched site: name the hosts to keep with --hosts (e.g. --hosts '${new URL(found.citations[0]!.url).hostname}')`, report);
  }
  const comment = [
    `Watch list imported by \`xjwatch import\` from ${basename(report)} (sha256 ${sha256}).`,
    `Its pages are pinned on their sites: \`xjwatch crawl ${name}\` checks them now (a first capture, or a`,
    'recheck with controls); a list in <data-dir>/lists is watched by `xjwatch watch` and pinned in every',
    "crawl of its sites. Edit freely: an entry's site: names the site it is watched on.",
  ].join('\n');
  writeFileAtomic(target, watchListYaml(list, comment));

  const say = opts.json ? err : out;
  if (opts.json) for (const e of list.entries) printJson(e);
  say(`${safe(basename(report))} (${read.kind}): ${found.footnotes} footnote(s), ${found.citations.length} cited page(s)${found.archiveOnly.length ? `, ${found.archiveOnly.length} archive link(s) with no page` : ''}`);
  say(`watch list ${name}: ${list.entries.length} page(s) on ${new Set(list.entries.map((e) => new URL(e.url).host)).size} host(s)${hosts.length ? ` (government hosts and ${hosts.join(', ')})` : ' (government hosts: gov.cn and under it, and hosts a site file covers)'}`);
  for (const line of byHost(list.entries.map((e) => ({ ...e, label: `→ ${e.site}` })))) say(`  ${line}`);
  if (left.length) {
    say(`left out: ${left.length} page(s) on ${new Set(left.map((e) => new URL(e.url).host)).size} host(s) that are not government hosts (keep some with --hosts):`);
    for (const line of byHost(left)) say(`  ${line}`);
  }
  if (found.archiveOnly.length) say(`not resolved: archive links with no page beside them that import could read (only the archive knows which page each holds):`);
  for (const a of found.archiveOnly) say(`  ${describeArchiveOnly(a)}`);
  say(`written to ${target}`);
  say(`check its pages now: xjwatch crawl ${opts.out ? target : name}${opts.dataDir ? ` --data-dir ${dataDir}` : ''}`);
  return 0;
}

function readReport(file: string): Buffer {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new InputError('is not a file', file);
    size = st.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`, file);
  }
  if (size > MAX_REPORT_BYTES) throw new InputError(`is ${(size / 1024 / 1024).toFixed(0)} MiB; a report is at most ${MAX_REPORT_BYTES / 1024 / 1024} MiB`, file);
  return readFileSync(file);
}

function hostPatterns(value: string | undefined): string[] {
  if (!value) return [];
  const patterns = value.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  for (const p of patterns) {
    if (!/^(?:\*|(?:\*\.)?[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|[0-9a-f:.]+)$/.test(p)) throw new InputError(`"${p}" must be a host name such as www.ts.cn, *.xjdaily.com.cn or * (no scheme, port or path)`, undefined, undefined, '--hosts');
  }
  return patterns;
}

/** `www.xjdrc.gov.cn → www-xjdrc-gov-cn: 6 page(s), footnotes 20, 22, 58`: one line a host, most cited first. */
function byHost(pages: (CitedPage & { label?: string })[]): string[] {
  const hosts = new Map<string, { label?: string; pages: number; footnotes: Set<number> }>();
  for (const p of pages) {
    const host = new URL(p.url).host;
    let h = hosts.get(host);
    if (!h) hosts.set(host, (h = { label: p.label, pages: 0, footnotes: new Set() }));
    h.pages++;
    for (const f of p.footnotes) h.footnotes.add(f);
  }
  return [...hosts]
    .sort((a, b) => b[1].pages - a[1].pages || a[0].localeCompare(b[0]))
    .map(([host, h]) => {
      const fns = [...h.footnotes].sort((a, b) => a - b);
      return `${safe(host)}${h.label ? ` ${safe(h.label)}` : ''}: ${h.pages} page(s)${fns.length ? `, footnote${fns.length > 1 ? 's' : ''} ${fns.join(', ')}` : ''}`;
    });
}

function describeArchiveOnly(a: ArchiveOnly): string {
  return `${a.footnote !== undefined ? `footnote ${a.footnote}: ` : ''}${safe(a.archive)}`;
}
