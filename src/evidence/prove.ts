import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { TsaSetting } from '../config/settings.js';
import { InputError } from '../config/errors.js';
import type { Term } from '../terms/types.js';
import { BlobStore } from '../store/blobs.js';
import type { Db } from '../store/db.js';
import { recordBundle } from '../store/bundle-records.js';
import { custodyEntryOf, custodyHead, warcFileIds } from '../store/evidence-reads.js';
import type { FetchRecord } from '../store/rows.js';
import { VERSION } from '../version.js';
import { writeBundleWarc } from './bundle-warc.js';
import { WACZ_FILE, writeWacz } from './wacz.js';
import { BundleFiles, fileSize, listFiles, sha256File } from './files.js';
import { gather, type PageEvidence } from './gather.js';
import { pagePart } from './page-part.js';
import { renderReport, type ReportPage } from './report.js';
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
  /** the .zip as kept in the catalogue (a blob, in the team's object store too), or why it could not be */
  kept: { id: number; sha256: string; size: number } | { problem: string };
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
    const blobs = BlobStore.of(opts.dataDir);
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

    await writeWacz(
      join(tmp, WACZ_FILE),
      join(tmp, 'evidence.warc.gz'),
      records,
      evidence.map((ev, i) => ({ url: ev.page.url, title: pages[i]!.title ?? null, ts: ev.captures[ev.captures.length - 1]!.at })),
      SOFTWARE,
    );
    files.entries.set(WACZ_FILE, { what: 'the captures as WACZ 1.1.1 (the WARC, a CDXJ index, the pages, datapackage.json with their hashes): opens in replayweb.page offline' });

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
    const proved = evidence.map((ev) => ({ url: ev.page.url, verdict: verdictOf(ev) }));
    const count = listFiles(dir).length;
    return { dir, zip, pages: proved, stamps, wayback, files: count, kept: await keepBundle(opts, blobs, { dir, zip, madeAt, files: count, pages: proved }) };
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The .zip kept as a blob and the bundle recorded in the catalogue, so that what was handed over
 * stays on record (a teammate's machine lists and serves it). The bundle is whole on disk
 * whatever happens here: a failure is reported, not thrown.
 */
async function keepBundle(opts: ProveOptions, blobs: BlobStore, b: { dir: string; zip: string; madeAt: string; files: number; pages: { url: string; verdict: BundleVerdict }[] }): Promise<ProveResult['kept']> {
  try {
    const { sha256, size } = await blobs.putFile(b.zip);
    const id = recordBundle(opts.db, { name: basename(b.dir), made_at: b.madeAt, host: hostname(), zip_sha256: sha256, zip_size: size, files: b.files }, b.pages.map((p) => ({ url: p.url, verdict: p.verdict.name })));
    return { id, sha256, size };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

function custodyLines(db: Db, evidence: PageEvidence[], fetches: Map<number, FetchRecord>): string {
  const ids: Record<string, Set<number>> = { fetches: new Set(fetches.keys()), captures: new Set(), prior_captures: new Set(), checks: new Set(), renderings: new Set(), warc_files: new Set() };
  const walk = (ev: PageEvidence) => {
    ev.captures.forEach((c) => ids.captures!.add(c.id));
    ev.captures.forEach((c) => c.third_party && ids.prior_captures!.add(c.third_party.id));
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
