import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TsaSetting } from '../config/settings.js';
import { InputError } from '../config/errors.js';
import { wordDiff } from '../detect/diff.js';
import type { Term } from '../terms/types.js';
import { BlobStore } from '../store/blobs.js';
import type { Db } from '../store/db.js';
import { custodyEntryOf, custodyHead, warcFileIds } from '../store/evidence-reads.js';
import type { FetchRecord } from '../store/rows.js';
import { VERSION } from '../version.js';
import { writeBundleWarc, type CopiedRecord } from './bundle-warc.js';
import { BundleFiles, extensionFor, fileSize, listFiles, sha256File } from './files.js';
import { gather, type PageEvidence } from './gather.js';
import { renderReport, type ReportPage, type TimelineRow } from './report.js';
import { stampBundle, type StampRecord } from './stamp.js';
import { verdictOf, type BundleVerdict } from './verdict.js';
import { verifyMd } from './verify-md.js';
import { saveToWayback, type WaybackOptions, type WaybackResult } from './wayback.js';
import { zipBundle } from './zip.js';

export interface ProveOptions {
  dataDir: string;
  db: Db;
  urls: string[];
  out: string;
  terms: Term[];
  tsas: TsaSetting[];
  /** also ask the Internet Archive to capture each URL now (an independent third-party capture) */
  wayback?: WaybackOptions;
}

export interface ProveResult {
  dir: string;
  zip: string;
  pages: { url: string; verdict: BundleVerdict }[];
  stamps: StampRecord[];
  wayback: WaybackResult[];
  files: number;
}

const SOFTWARE = `xjwatch/${VERSION}`;

/**
 * Builds an evidence bundle for pages the store has captured: a folder a third party checks with
 * standard tools, then its .zip. Built in a temporary folder and renamed into place, so a
 * half-made bundle never looks like a whole one.
 */
export async function prove(opts: ProveOptions): Promise<ProveResult> {
  const dir = resolve(opts.out);
  if (existsSync(dir)) throw new InputError('already exists: choose a new folder for the bundle', dir);
  const evidence = opts.urls.map((url) => {
    const ev = gather(opts.db, url);
    if (!ev) throw new InputError(`never captured or checked: ${url} (crawl or check it first; \`xjwatch search\` finds what is kept)`);
    if (!ev.captures.length) throw new InputError(`no capture of ${url} to prove anything about`);
    return ev;
  });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const files = new BundleFiles(tmp);
    const blobs = new BlobStore(join(opts.dataDir, 'blobs'));
    const glosses = new Map(opts.terms.map((t) => [t.term, t.gloss]));

    const allFetches = new Map<number, FetchRecord>();
    const collect = (ev: PageEvidence) => {
      for (const [id, f] of ev.fetches) allFetches.set(id, f);
      for (const a of ev.attachments) collect(a.evidence);
    };
    evidence.forEach(collect);
    const records = await writeBundleWarc(opts.dataDir, join(tmp, 'evidence.warc.gz'), [...allFetches.values()], SOFTWARE);
    files.entries.set('evidence.warc.gz', { what: 'WARC 1.1: every request and response of the captures, checks and controls, copied byte for byte from the store' });
    const recordOf = new Map(records.map((r) => [r.exchange, r]));

    const wayback = opts.wayback ? await Promise.all(evidence.map((ev) => saveToWayback(ev.page.url, opts.wayback!))) : [];
    if (wayback.length) files.write('wayback.json', `${JSON.stringify(wayback, null, 2)}\n`, 'the Internet Archive\'s Save Page Now: an independent capture of each address, asked for when the bundle was made');
    const pages: ReportPage[] = [];
    const manifestPages: object[] = [];
    evidence.forEach((ev, i) => {
      const n = i + 1;
      const v = verdictOf(ev);
      const page = pagePart(ev, n, v, files, blobs, recordOf, glosses);
      const wb = wayback[i];
      if (wb) page.report.wayback = wb.status === 'success' ? `archived by the Internet Archive at ${wb.timestamp}: ${wb.capture}` : `asked the Internet Archive to capture it (${wb.status}${wb.problem ? `: ${wb.problem}` : ''})`;
      pages.push(page.report);
      manifestPages.push(page.manifest);
    });

    writeFileSync(join(tmp, 'custody.jsonl'), custodyLines(opts.db, evidence, allFetches));
    files.entries.set('custody.jsonl', { what: 'the store\'s hash-linked custody log entries for every row this bundle draws on' });
    const head = custodyHead(opts.db);
    const madeAt = new Date().toISOString();
    files.write('VERIFY.md', verifyMd(pages.map((p) => ({ n: p.n, url: p.url, headline: p.verdict.headline }))), 'how to verify this bundle with standard tools');
    files.write(
      'report.html',
      renderReport({ madeAt, software: SOFTWARE, pages, stamps: opts.tsas.map((t) => t.url), custodyHead: head ? `#${head.seq} ${head.hash}` : '(empty)' }),
      'the human report (opens offline)',
    );

    const listed = listFiles(tmp);
    const manifest = {
      format: 'xjwatch-evidence/1',
      made_at: madeAt,
      made_by: SOFTWARE,
      custody_head: head ?? null,
      pages: manifestPages,
      files: listed.map((path) => ({ path, sha256: sha256File(join(tmp, path)), size: fileSize(join(tmp, path)), what: files.entries.get(path)?.what ?? '' })),
    };
    writeFileSync(join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const sums = [...manifest.files, { path: 'manifest.json', sha256: sha256File(join(tmp, 'manifest.json')) }].map((f) => `${f.sha256}  ${f.path}`);
    writeFileSync(join(tmp, 'SHA256SUMS'), `${sums.join('\n')}\n`);
    const stamps = await stampBundle(tmp, opts.tsas);
    renameSync(tmp, dir);
    const zip = await zipBundle(dir);
    return { dir, zip, pages: evidence.map((ev, i) => ({ url: ev.page.url, verdict: verdictOf(evidence[i]!) })), stamps, wayback, files: listFiles(dir).length };
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

function pagePart(
  ev: PageEvidence,
  n: number,
  v: BundleVerdict,
  files: BundleFiles,
  blobs: BlobStore,
  recordOf: Map<string, CopiedRecord>,
  glosses: Map<string, string | undefined>,
): { report: ReportPage; manifest: object } {
  const base = `pages/${n}`;
  const pageFiles: ReportPage['files'] = [];
  const bodyPaths = new Map<string, string>();
  const keepBody = (sha: string | null, ct: string | null, url: string, name: string, label: string): string | undefined => {
    if (!sha) return undefined;
    const had = bodyPaths.get(sha);
    if (had) return had;
    let data: Buffer;
    try {
      data = blobs.get(sha);
    } catch {
      return undefined; // verify --data-dir names a missing blob; the WARC record still holds the body
    }
    const path = files.write(`${base}/${name}.${extensionFor(ct, url)}`, data, label);
    bodyPaths.set(sha, path);
    pageFiles.push({ label, path });
    return path;
  };

  const timeline: TimelineRow[] = [];
  const warcAt = (f: FetchRecord | undefined) => {
    const r = f ? recordOf.get(f.exchange_id) : undefined;
    return r ? `evidence.warc.gz @${r.offset}+${r.length}` : undefined;
  };
  ev.captures.forEach((c, k) => {
    const f = ev.fetches.get(c.fetch_id);
    keepBody(c.body_sha256, c.content_type, c.final_url, `captures/${k + 1}`, `capture ${k + 1} (${c.at}): the body as received`);
    if (c.text) pageFiles.push({ label: `capture ${k + 1}: extracted text`, path: files.write(`${base}/captures/${k + 1}.extracted.txt`, c.text, `capture ${k + 1}: extracted text (UTF-8)`) });
    timeline.push({ at: c.at, what: `capture ${k + 1}`, status: String(c.status), ip: f?.ip ?? '', result: `${c.title ?? ''}${c.final_url !== ev.page.url ? ` (at ${c.final_url})` : ''}`, sha256: c.body_sha256, warc: warcAt(f) });
  });
  for (const c of ev.checks) {
    const f = c.fetch_id ? ev.fetches.get(c.fetch_id) : undefined;
    if (f && c.outcome !== 'unchanged' && c.outcome !== 'trivial' && c.outcome !== 'changed') keepBody(f.body_sha256, f.content_type, f.url, `checks/${c.id}-${f.status ?? 'failed'}`, `check of ${c.at}: the answer's body`);
    const ctl = c.controls;
    const controls = ctl
      ? `controls ${ctl.healthy ? 'healthy' : 'NOT healthy'} — home: ${ctl.home ?? '?'}; sibling: ${ctl.sibling ?? '?'}; made-up address: ${ctl.not_found ?? '?'}${ctl.site_trouble ? '; the site as a whole was in trouble' : ''}`
      : undefined;
    timeline.push({
      at: c.at,
      what: 'check',
      status: c.status !== null ? String(c.status) : f?.error_kind ?? '-',
      ip: f?.ip ?? '',
      result: `${c.outcome}${c.reason ? ` (${c.reason})` : ''}${c.detail ? `: ${c.detail}` : ''}${c.final_url && c.final_url !== ev.page.url ? ` → ${c.final_url}` : ''}${c.counted ? ' · counted towards confirmation' : ''}`,
      sha256: f?.body_sha256 ?? '',
      controls,
      warc: warcAt(f),
    });
  }
  timeline.sort((a, b) => a.at.localeCompare(b.at));

  const first = ev.captures[0]!;
  const last = ev.captures.at(-1)!;
  let diff: ReportPage['diff'];
  if (ev.captures.length > 1 && first.text !== null && last.text !== null) {
    const parts = wordDiff(first.text, last.text);
    diff = { from: `capture 1 (${first.at})`, to: `capture ${ev.captures.length} (${last.at})`, parts };
    const text = parts.map((p) => (p.type === 'added' ? `[+${p.text}+]` : p.type === 'removed' ? `[-${p.text}-]` : p.text)).join('');
    pageFiles.push({ label: 'word diff, first to last capture', path: files.write(`${base}/diff.txt`, `--- ${diff.from}\n+++ ${diff.to}\n[-removed-] [+added+]\n\n${text}\n`, 'word diff of the extracted text, first to last capture') });
  }

  const pictures: ReportPage['pictures'] = [];
  const putPicture = (sha: string | null, path: string, label: string) => {
    if (!sha) return undefined;
    try {
      return files.write(path, blobs.get(sha), label);
    } catch {
      return undefined;
    }
  };
  const liveRender = [...ev.renderings].reverse().find((r) => r.what === 'capture' && r.capture_id === last.id && r.png_sha256) ?? [...ev.renderings].reverse().find((r) => r.what === 'capture' && r.png_sha256);
  if (liveRender) {
    const k = ev.captures.findIndex((c) => c.id === liveRender.capture_id) + 1;
    const label = `the last live capture (capture ${k}, ${ev.captures[k - 1]?.at ?? ''}) rendered in Chromium from its own bytes`;
    pictures.push({ label, png: putPicture(liveRender.png_sha256, `${base}/pictures/last-live.png`, `screenshot: ${label}`), pdf: putPicture(liveRender.pdf_sha256, `${base}/pictures/last-live.pdf`, `PDF print: ${label}`) });
  }
  const present = [...ev.renderings].reverse().find((r) => r.what === 'present');
  if (present) {
    const label = `what the address answered on ${present.at}`;
    pictures.push({ label, png: putPicture(present.png_sha256, `${base}/pictures/present.png`, `screenshot: ${label}`), pdf: putPicture(present.pdf_sha256, `${base}/pictures/present.pdf`, `PDF print: ${label}`), ...(present.problem ? { note: present.problem } : {}) });
  }
  for (const p of pictures) for (const path of [p.png, p.pdf]) if (path) pageFiles.push({ label: p.label, path });

  const attachments: ReportPage['attachments'] = ev.attachments.map((a, k) => {
    const c = a.evidence.captures.at(-1);
    const path = c ? keepBody(c.body_sha256, c.content_type, a.evidence.page.url, `attachments/${k + 1}`, `attachment ${k + 1} as received`) : undefined;
    if (c?.text) pageFiles.push({ label: `attachment ${k + 1}: extracted text`, path: files.write(`${base}/attachments/${k + 1}.extracted.txt`, c.text, `attachment ${k + 1}: extracted text (UTF-8)`) });
    return { name: a.name ?? a.evidence.page.title ?? a.evidence.page.url, url: a.evidence.page.url, sha256: c?.body_sha256 ?? null, ...(path ? { path } : {}) };
  });

  const hits = (ev.hits.get(last.id) ?? ev.hits.get(first.id) ?? []).map((h) => ({ ...h, gloss: glosses.get(h.term) }));
  const report: ReportPage = {
    n,
    url: ev.page.url,
    site: `${ev.siteName ?? ev.page.site_id}${ev.siteHome ? ` (${ev.siteHome})` : ''}`,
    title: last.title ?? ev.page.title,
    published: last.published ?? ev.page.published,
    verdict: v,
    timeline,
    hits,
    excerpt: (last.text ?? '').slice(0, 20_000),
    diff,
    pictures,
    files: pageFiles,
    attachments,
    listed: ev.listings.map((l) => `${l.list_url} (seen there ${l.first_seen_at} – ${l.last_seen_at})`),
  };
  const pageRecords = [...ev.fetches.values(), ...ev.attachments.flatMap((a) => [...a.evidence.fetches.values()])]
    .map((f) => recordOf.get(f.exchange_id))
    .filter((r): r is CopiedRecord => Boolean(r))
    .sort((a, b) => a.offset - b.offset);
  const manifest = {
    n,
    url: ev.page.url,
    title: report.title,
    verdict: v.name,
    headline: v.headline,
    deleted: v.deleted,
    reason: v.reason ?? null,
    confirmed_on: v.confirmedOn,
    first_captured_at: first.at,
    last_live_at: v.lastLiveAt ?? null,
    last_check_at: v.lastCheckAt ?? null,
    captures: ev.captures.map((c) => ({ at: c.at, status: c.status, sha256: c.body_sha256, text_sha256: c.text_sha256 })),
    checks: ev.checks.map((c) => ({ at: c.at, outcome: c.outcome, reason: c.reason, status: c.status, final_url: c.final_url, controls_healthy: c.controls?.healthy ?? null, counted: Boolean(c.counted) })),
    records: pageRecords,
  };
  return { report, manifest };
}

function custodyLines(db: Db, evidence: PageEvidence[], fetches: Map<number, FetchRecord>): string {
  const ids: Record<string, Set<number>> = { fetches: new Set(fetches.keys()), captures: new Set(), checks: new Set(), renderings: new Set(), warc_files: new Set() };
  const walk = (ev: PageEvidence) => {
    ev.captures.forEach((c) => ids.captures!.add(c.id));
    ev.checks.forEach((c) => ids.checks!.add(c.id));
    ev.renderings.forEach((r) => ids.renderings!.add(r.id));
    ev.attachments.forEach((a) => walk(a.evidence));
  };
  evidence.forEach(walk);
  const files = new Set([...fetches.values()].map((f) => f.warc_file));
  for (const r of warcFileIds(db)) if (files.has(r.file)) ids.warc_files!.add(r.id);
  const entryOf = custodyEntryOf(db);
  const rows: { seq: number }[] = [];
  for (const [tbl, set] of Object.entries(ids)) for (const id of set) {
    const r = entryOf(tbl, id);
    if (r) rows.push(r);
  }
  rows.sort((a, b) => a.seq - b.seq);
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}
