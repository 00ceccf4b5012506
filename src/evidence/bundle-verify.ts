import { createHash } from 'node:crypto';
import { FolderSource, type BundleSource, type Span } from './bundle-source.js';
import type { Finding } from './store-verify.js';
import { verifyToken } from './timestamp.js';
import { checkWacz } from './wacz-verify.js';
import { parseRecord } from './warc-record.js';

export interface BundleVerification {
  problems: Finding[];
  notes: Finding[];
  files: number;
  records: number;
  /** each time-stamp, checked against the root certificate the bundle carries (named, to compare with the authority's own) */
  stamps: { file: string; ok: boolean; genTime?: string; problem?: string; root?: string }[];
}

/** A bundle path that stays inside the bundle (a bundle may come from anyone). */
const safePath = (p: unknown): p is string => typeof p === 'string' && /^[\w.@+-]+(\/[\w.@+-]+)*$/.test(p) && !p.split('/').some((x) => x === '..' || x === '.');
/** Files an operating system drops into folders, which say nothing about the evidence. */
const OS_LITTER = /(^|\/)(\.DS_Store|Thumbs\.db|desktop\.ini|\._[^/]*)$/;

/** Bounds on what verify reads of a bundle's own bookkeeping files. */
const MAX_MANIFEST = 64 * 1024 * 1024;
const MAX_SUMS = 16 * 1024 * 1024;
const MAX_CUSTODY = 256 * 1024 * 1024;
const MAX_STAMP_FILE = 1024 * 1024;
/** a file the manifest lists is read up to its listed size; none is larger than this */
const MAX_FILE = 8 * 1024 ** 3;

type Manifest = { files: { path: string; sha256: string; size: number }[]; pages: { records: { url: string; members: { offset: number; length: number }[] }[] }[] };

/**
 * Checks a bundle the way VERIFY.md tells a third party to, and names whatever does not hold. A
 * folder's path, or a source (a zip read in place: bundle-zip.ts); a source is closed after.
 */
export async function verifyBundle(bundle: string | BundleSource, opts: { trustedRootsPem?: string } = {}): Promise<BundleVerification> {
  const src = typeof bundle === 'string' ? new FolderSource(bundle) : bundle;
  try {
    return await verifySource(src, opts);
  } finally {
    src.close();
  }
}

async function verifySource(src: BundleSource, opts: { trustedRootsPem?: string }): Promise<BundleVerification> {
  const problems: Finding[] = [];
  const notes: Finding[] = [];
  const out: BundleVerification = { problems, notes, files: 0, records: 0, stamps: [] };
  // links, devices and pipes are named and never read: nothing outside the bundle gets in
  for (const f of src.strange()) problems.push(f);
  if (src.size('manifest.json') === undefined && !src.problem('manifest.json')) {
    problems.push({ path: 'manifest.json', problem: 'missing: this is not an evidence bundle, or it was damaged' });
    return out;
  }
  const read = await src.read('manifest.json', MAX_MANIFEST);
  if (!read.bytes) {
    if (!problems.some((p) => p.path === 'manifest.json')) problems.push({ path: 'manifest.json', problem: read.problem ?? 'unreadable' });
    return out;
  }
  const manifestBytes = read.bytes;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8'));
  } catch (err) {
    problems.push({ path: 'manifest.json', problem: `not JSON (altered?): ${(err as Error).message}` });
    return out;
  }
  if (!Array.isArray(manifest.files) || !Array.isArray(manifest.pages)) {
    problems.push({ path: 'manifest.json', problem: 'has no list of files or pages (altered?)' });
    return out;
  }
  const listed = await checkListedFiles(src, manifest, out);
  await checkSums(src, manifestBytes, listed, problems);
  checkUnlisted(src, listed, out);
  await checkRecords(src, manifest, out);
  await checkCustody(src, problems);
  await checkWacz(src, out);
  await checkStamps(src, manifestBytes, opts.trustedRootsPem, out);
  return out;
}

/** The manifest's own list: each file there, with its hash and size. Returns the paths it lists. */
async function checkListedFiles(src: BundleSource, manifest: Manifest, out: BundleVerification): Promise<Set<string>> {
  const listed = new Set<string>();
  for (const f of manifest.files) {
    if (!safePath(f?.path)) {
      out.problems.push({ path: 'manifest.json', problem: `names a file outside the bundle: ${String(f?.path).slice(0, 80)}` });
      continue;
    }
    listed.add(f.path);
    out.files++;
    if (strange(src, f.path, out.problems)) continue;
    const have = src.size(f.path);
    if (have === undefined) {
      out.problems.push({ path: f.path, problem: 'missing' });
      continue;
    }
    // the manifest's size bounds the read: a grown file is altered without reading all of it
    const size = Number.isSafeInteger(f.size) && f.size >= 0 ? Math.min(f.size, MAX_FILE) : 0;
    if (have !== f.size) {
      out.problems.push({ path: f.path, problem: `altered: ${have} bytes, manifest says ${f.size}` });
      continue;
    }
    const now = await src.sha256(f.path, size);
    if (now.sha256 !== f.sha256) out.problems.push({ path: f.path, problem: now.sha256 ? `altered: SHA-256 ${now.sha256}, manifest says ${f.sha256}` : `altered: ${now.problem}` });
  }
  return listed;
}

/** SHA256SUMS, which also covers manifest.json: what `sha256sum -c` will say, line by line. */
async function checkSums(src: BundleSource, manifestBytes: Buffer, listed: Set<string>, problems: Finding[]): Promise<void> {
  const read = await src.read('SHA256SUMS', MAX_SUMS);
  if (!read.bytes) {
    if (read.problem === 'missing' || !problems.some((p) => p.path === 'SHA256SUMS')) problems.push({ path: 'SHA256SUMS', problem: read.problem ?? 'missing' });
    return;
  }
  const sums = read.bytes.toString('utf8').split('\n').filter(Boolean);
  const named = new Set<string>();
  for (const line of sums) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) {
      problems.push({ path: 'SHA256SUMS', problem: `a line that is not "<sha256>  <file>": ${line.slice(0, 80)}` });
      continue;
    }
    if (!safePath(m[2])) {
      problems.push({ path: 'SHA256SUMS', problem: `names a file outside the bundle: ${m[2]!.slice(0, 80)}` });
      continue;
    }
    named.add(m[2]!);
    if (strange(src, m[2]!, problems)) continue;
    if (src.size(m[2]!) === undefined) problems.push({ path: m[2]!, problem: 'missing (named in SHA256SUMS)' });
    else if ((m[2] === 'manifest.json' ? createHash('sha256').update(manifestBytes).digest('hex') : (await src.sha256(m[2]!, MAX_FILE)).sha256) !== m[1]) problems.push({ path: m[2]!, problem: 'altered: its SHA-256 differs from SHA256SUMS' });
    else if (m[2] !== 'manifest.json' && !listed.has(m[2]!)) problems.push({ path: m[2]!, problem: 'named in SHA256SUMS but not in the manifest' });
  }
  for (const f of listed) if (!named.has(f)) problems.push({ path: 'SHA256SUMS', problem: `does not name ${f}` });
  if (!named.has('manifest.json')) problems.push({ path: 'SHA256SUMS', problem: 'does not name manifest.json' });
}

/** Files in the folder that the manifest does not list: added later, or litter from an operating system. */
function checkUnlisted(src: BundleSource, listed: Set<string>, out: BundleVerification): void {
  for (const f of src.files()) {
    if (f === 'manifest.json' || f === 'SHA256SUMS' || f.startsWith('timestamps/') || listed.has(f)) continue;
    if (OS_LITTER.test(f)) out.notes.push({ path: f, problem: 'left by an operating system, not part of the bundle' });
    else out.problems.push({ path: f, problem: 'a file that is not in the manifest (added after the bundle was made)' });
  }
}

/** The WARC records, where the manifest says they are, with their digests re-computed. */
async function checkRecords(src: BundleSource, manifest: Manifest, out: BundleVerification): Promise<void> {
  const warcSize = src.size('evidence.warc.gz');
  if (warcSize === undefined || src.problem('evidence.warc.gz')) return;
  const spans = new Map<number, Span & { url: string }>();
  for (const page of manifest.pages ?? []) {
    for (const r of page.records ?? []) {
      for (const m of r.members ?? []) {
        if (spans.has(m.offset)) continue;
        out.records++;
        if (!Number.isSafeInteger(m.offset) || !Number.isSafeInteger(m.length) || m.offset < 0 || m.length <= 0 || m.offset + m.length > warcSize) {
          out.problems.push({ path: 'manifest.json', problem: `a record of ${String(r.url).slice(0, 80)} lies outside evidence.warc.gz` });
          continue;
        }
        spans.set(m.offset, { offset: m.offset, length: m.length, url: String(r.url) });
      }
    }
  }
  // records never share bytes: spans that overlap would have the file read again and again
  const sorted = [...spans.values()].sort((a, b) => a.offset - b.offset);
  const wanted: (Span & { url: string })[] = [];
  for (const s of sorted) {
    const prev = wanted[wanted.length - 1];
    if (prev && s.offset < prev.offset + prev.length) out.problems.push({ path: 'manifest.json', problem: `a record of ${s.url.slice(0, 80)} overlaps the one before it in evidence.warc.gz` });
    else wanted.push(s);
  }
  const problem = await src.spans('evidence.warc.gz', wanted, (span, bytes) => {
    const rec = parseRecord(bytes);
    if (rec.problem) out.problems.push({ path: `evidence.warc.gz @${span.offset}`, problem: `${(span as Span & { url: string }).url}: ${rec.problem}` });
  });
  if (problem) out.problems.push({ path: 'evidence.warc.gz', problem });
}

/** The custody entries: each hashes to itself. */
async function checkCustody(src: BundleSource, problems: Finding[]): Promise<void> {
  const read = await src.read('custody.jsonl', MAX_CUSTODY);
  if (!read.bytes) return; // missing (an older bundle), or named above
  for (const line of read.bytes.toString('utf8').split('\n').filter(Boolean)) {
    try {
      const e = JSON.parse(line) as { seq: number; prev: string; record: string; hash: string };
      if (createHash('sha256').update(`${e.prev}\n${e.record}`).digest('hex') !== e.hash) problems.push({ path: 'custody.jsonl', problem: `entry #${e.seq} does not hash to its hash` });
    } catch {
      problems.push({ path: 'custody.jsonl', problem: 'a line that is not JSON' });
    }
  }
}

/** The time-stamps over manifest.json. */
async function checkStamps(src: BundleSource, manifestBytes: Buffer, trustedRootsPem: string | undefined, out: BundleVerification): Promise<void> {
  // a folder, not a link to one
  const tsrs = src.isFolder('timestamps') ? src.files().filter((f) => f.startsWith('timestamps/') && f.endsWith('.tsr')).map((f) => f.slice('timestamps/'.length)) : [];
  for (const f of tsrs) {
    const base = `timestamps/${f.slice(0, -4)}`;
    // roots the reader brings (--ca) replace the ones the bundle carries
    const root = trustedRootsPem ?? (await src.read(`${base}.root.pem`, MAX_STAMP_FILE)).bytes?.toString('utf8') ?? '';
    if (!root) {
      // most authorities do not send their root: not tampering, but nothing to check it against here
      out.notes.push({ path: `timestamps/${f}`, problem: `no root certificate beside it: put the authority's root as timestamps/${f.slice(0, -4)}.root.pem to check it` });
      continue;
    }
    const token = await src.read(`timestamps/${f}`, MAX_STAMP_FILE);
    if (!token.bytes) {
      out.problems.push({ path: `timestamps/${f}`, problem: token.problem ?? 'unreadable' });
      continue;
    }
    const v = await verifyToken(token.bytes, manifestBytes, root);
    out.stamps.push({ file: `timestamps/${f}`, ok: v.ok, ...(v.genTime ? { genTime: v.genTime } : {}), ...(v.problem ? { problem: v.problem } : {}), ...(v.root ? { root: v.root } : {}) });
    if (!v.ok) out.problems.push({ path: `timestamps/${f}`, problem: `the time-stamp does not verify: ${v.problem}` });
  }
  if (!tsrs.length) out.notes.push({ path: 'timestamps/', problem: 'no time-stamp: nothing shows when the bundle was made (add one with xjwatch stamp)' });
}

/** Whether a bundle path is not a plain file under plain folders; named, unless a link on its way already is. */
function strange(src: BundleSource, path: string, problems: Finding[]): boolean {
  const problem = src.problem(path);
  if (!problem) return false;
  if (!problems.some((p) => path === p.path || path.startsWith(`${p.path}/`))) problems.push({ path, problem });
  return true;
}
