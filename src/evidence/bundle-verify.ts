import { createHash } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { entryProblem, readBounded, sha256Bounded, strangeEntries } from './bundle-entries.js';
import { listFiles } from './files.js';
import type { Finding } from './store-verify.js';
import { verifyToken } from './timestamp.js';
import { parseRecord, readSlice } from './warc-record.js';

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

/** Checks a bundle the way VERIFY.md tells a third party to, and names whatever does not hold. */
export async function verifyBundle(dir: string, opts: { trustedRootsPem?: string } = {}): Promise<BundleVerification> {
  const problems: Finding[] = [];
  const notes: Finding[] = [];
  const out: BundleVerification = { problems, notes, files: 0, records: 0, stamps: [] };
  // links, devices and pipes are named and never read: nothing outside the bundle gets in
  for (const f of strangeEntries(dir)) problems.push(f);
  if (!lstatOrUndefined(join(dir, 'manifest.json'))) {
    problems.push({ path: 'manifest.json', problem: 'missing: this is not an evidence bundle, or it was damaged' });
    return out;
  }
  const read = readBounded(dir, 'manifest.json', MAX_MANIFEST);
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
  const listed = checkListedFiles(dir, manifest, out);
  checkSums(dir, manifestBytes, listed, problems);
  checkUnlisted(dir, listed, out);
  checkRecords(dir, manifest, out);
  checkCustody(dir, problems);
  await checkStamps(dir, manifestBytes, opts.trustedRootsPem, out);
  return out;
}

/** The manifest's own list: each file there, with its hash and size. Returns the paths it lists. */
function checkListedFiles(dir: string, manifest: Manifest, out: BundleVerification): Set<string> {
  const listed = new Set<string>();
  for (const f of manifest.files) {
    if (!safePath(f?.path)) {
      out.problems.push({ path: 'manifest.json', problem: `names a file outside the bundle: ${String(f?.path).slice(0, 80)}` });
      continue;
    }
    listed.add(f.path);
    out.files++;
    const p = join(dir, f.path);
    if (strange(dir, f.path, out.problems)) continue;
    const st = lstatOrUndefined(p);
    if (!st) {
      out.problems.push({ path: f.path, problem: 'missing' });
      continue;
    }
    // the manifest's size bounds the read: a grown file is altered without reading all of it
    const size = Number.isSafeInteger(f.size) && f.size >= 0 ? Math.min(f.size, MAX_FILE) : 0;
    if (st.size !== f.size) {
      out.problems.push({ path: f.path, problem: `altered: ${st.size} bytes, manifest says ${f.size}` });
      continue;
    }
    const now = sha256Bounded(p, size);
    if (!now || now.sha256 !== f.sha256) out.problems.push({ path: f.path, problem: `altered: SHA-256 ${now?.sha256 ?? '(grew while read)'}, manifest says ${f.sha256}` });
  }
  return listed;
}

/** SHA256SUMS, which also covers manifest.json: what `sha256sum -c` will say, line by line. */
function checkSums(dir: string, manifestBytes: Buffer, listed: Set<string>, problems: Finding[]): void {
  const read = readBounded(dir, 'SHA256SUMS', MAX_SUMS);
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
    const p = join(dir, m[2]!);
    if (strange(dir, m[2]!, problems)) continue;
    if (!lstatOrUndefined(p)) problems.push({ path: m[2]!, problem: 'missing (named in SHA256SUMS)' });
    else if ((m[2] === 'manifest.json' ? createHash('sha256').update(manifestBytes).digest('hex') : sha256Bounded(p, MAX_FILE)?.sha256) !== m[1]) problems.push({ path: m[2]!, problem: 'altered: its SHA-256 differs from SHA256SUMS' });
    else if (m[2] !== 'manifest.json' && !listed.has(m[2]!)) problems.push({ path: m[2]!, problem: 'named in SHA256SUMS but not in the manifest' });
  }
  for (const f of listed) if (!named.has(f)) problems.push({ path: 'SHA256SUMS', problem: `does not name ${f}` });
  if (!named.has('manifest.json')) problems.push({ path: 'SHA256SUMS', problem: 'does not name manifest.json' });
}

/** Files in the folder that the manifest does not list: added later, or litter from an operating system. */
function checkUnlisted(dir: string, listed: Set<string>, out: BundleVerification): void {
  for (const f of listFiles(dir)) {
    if (f === 'manifest.json' || f === 'SHA256SUMS' || f.startsWith('timestamps/') || listed.has(f)) continue;
    if (OS_LITTER.test(f)) out.notes.push({ path: f, problem: 'left by an operating system, not part of the bundle' });
    else out.problems.push({ path: f, problem: 'a file that is not in the manifest (added after the bundle was made)' });
  }
}

/** The WARC records, where the manifest says they are, with their digests re-computed. */
function checkRecords(dir: string, manifest: Manifest, out: BundleVerification): void {
  const warc = join(dir, 'evidence.warc.gz');
  const st = lstatOrUndefined(warc);
  if (!st || entryProblem(dir, 'evidence.warc.gz')) return;
  const warcSize = st.size;
  const seen = new Set<number>();
  for (const page of manifest.pages ?? []) {
    for (const r of page.records ?? []) {
      for (const m of r.members ?? []) {
        if (seen.has(m.offset)) continue;
        seen.add(m.offset);
        out.records++;
        if (!Number.isSafeInteger(m.offset) || !Number.isSafeInteger(m.length) || m.offset < 0 || m.length <= 0 || m.offset + m.length > warcSize) {
          out.problems.push({ path: 'manifest.json', problem: `a record of ${String(r.url).slice(0, 80)} lies outside evidence.warc.gz` });
          continue;
        }
        const rec = parseRecord(readSlice(warc, m.offset, m.length));
        if (rec.problem) out.problems.push({ path: `evidence.warc.gz @${m.offset}`, problem: `${r.url}: ${rec.problem}` });
      }
    }
  }
}

/** The custody entries: each hashes to itself. */
function checkCustody(dir: string, problems: Finding[]): void {
  const read = readBounded(dir, 'custody.jsonl', MAX_CUSTODY);
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
async function checkStamps(dir: string, manifestBytes: Buffer, trustedRootsPem: string | undefined, out: BundleVerification): Promise<void> {
  // a folder, not a link to one: listFiles would follow it
  const tsrs = lstatOrUndefined(join(dir, 'timestamps'))?.isDirectory() ? listFiles(join(dir, 'timestamps')).filter((f) => f.endsWith('.tsr')) : [];
  for (const f of tsrs) {
    const base = `timestamps/${f.slice(0, -4)}`;
    // roots the reader brings (--ca) replace the ones the bundle carries
    const root = trustedRootsPem ?? readBounded(dir, `${base}.root.pem`, MAX_STAMP_FILE).bytes?.toString('utf8') ?? '';
    if (!root) {
      // most authorities do not send their root: not tampering, but nothing to check it against here
      out.notes.push({ path: `timestamps/${f}`, problem: `no root certificate beside it: put the authority's root as timestamps/${f.slice(0, -4)}.root.pem to check it` });
      continue;
    }
    const token = readBounded(dir, `timestamps/${f}`, MAX_STAMP_FILE);
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
function strange(dir: string, path: string, problems: Finding[]): boolean {
  const problem = entryProblem(dir, path);
  if (!problem) return false;
  if (!problems.some((p) => path === p.path || path.startsWith(`${p.path}/`))) problems.push({ path, problem });
  return true;
}

function lstatOrUndefined(p: string) {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}
