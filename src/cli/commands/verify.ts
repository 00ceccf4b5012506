import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { InputError } from '../../config/errors.js';
import { verifyBundle } from '../../evidence/bundle-verify.js';
import { openZipBundle, type ZipSource } from '../../evidence/bundle-zip.js';
import { verifyStore, type Finding } from '../../evidence/store-verify.js';
import { objectStore } from '../../store/objects/object-store.js';
import { openDb } from '../../store/db.js';
import { existingDataDir, out, printJson, safe, type CommonOptions } from '../common.js';
import { dim, green, red, yellow } from '../format.js';

export interface VerifyOptions extends CommonOptions {
  /** root certificates (PEM) the reader trusts for the time-stamps, instead of the bundle's own */
  ca?: string;
}

function report(problems: Finding[], notes: Finding[], json: boolean | undefined, summary: object, okLine: string): number {
  if (json) {
    for (const p of problems) printJson({ type: 'problem', ...p });
    for (const n of notes) printJson({ type: 'note', ...n });
    printJson({ type: 'summary', ok: problems.length === 0, ...summary });
  } else {
    for (const p of problems) out(`${red('ALTERED')}  ${safe(p.path)}: ${safe(p.problem)}`);
    for (const n of notes) out(`${yellow('note')}     ${safe(n.path)}: ${safe(n.problem)}`);
    out(problems.length ? red(`${problems.length} problem(s): this is not as it was written`) : green(okLine));
  }
  return problems.length ? 1 : 0;
}

/** Whether a file starts as a zip does (a local header, or the end record of an empty zip). */
function looksLikeZip(path: string): boolean {
  const head = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  try {
    if (readSync(fd, head, 0, 4, 0) < 4) return false;
  } finally {
    closeSync(fd);
  }
  const sig = head.readUInt32LE(0);
  return sig === 0x04034b50 || sig === 0x06054b50;
}

/** `xjwatch verify DIR` checks a bundle; `xjwatch verify --data-dir D` re-hashes the whole store. Exit 1 on any mismatch. */
export async function verifyCommand(dir: string | undefined, opts: VerifyOptions): Promise<number> {
  if (dir) {
    const bundle = resolve(dir);
    if (!existsSync(bundle)) throw new InputError('no such folder', bundle);
    const st = statSync(bundle);
    if (!st.isDirectory() && !st.isFile()) throw new InputError('is not a folder (nor a file)', bundle);
    if (st.isFile() && !looksLikeZip(bundle)) throw new InputError('is a file, but neither a bundle folder nor its .zip', bundle);
    let trustedRootsPem: string | undefined;
    if (opts.ca) {
      try {
        trustedRootsPem = readFileSync(opts.ca, 'utf8');
      } catch (e) {
        throw new InputError(`cannot read (${(e as NodeJS.ErrnoException).code ?? e})`, opts.ca, undefined, '--ca');
      }
      if (!trustedRootsPem.includes('-----BEGIN CERTIFICATE-----')) throw new InputError('holds no PEM certificate', opts.ca, undefined, '--ca');
    }
    // a zip is read in place: its central directory judged first, nothing unpacked to disk
    let source: string | ZipSource = bundle;
    let from = '';
    if (st.isFile()) {
      const zip = await openZipBundle(bundle);
      if ('refused' in zip) return report([{ path: basename(bundle), problem: zip.refused }], [], opts.json, { files: 0, records: 0, stamps: [], zip: true }, '');
      source = zip.source;
      from = ` (read in place from ${basename(bundle)}${zip.top ? `, folder ${zip.top}` : ''})`;
    }
    const v = await verifyBundle(source, trustedRootsPem ? { trustedRootsPem } : {});
    if (!opts.json) {
      for (const s of v.stamps.filter((x) => x.ok)) {
        out(`${green('time-stamp')} ${safe(s.file)}: ${s.genTime}`);
        out(dim(opts.ca ? `           signed under the root you trust (${safe(opts.ca)}): ${safe(s.root ?? '')}` : `           signed under the root the bundle carries: ${safe(s.root ?? '')} — compare it with the authority's published fingerprint, or pass --ca`));
      }
    }
    return report(v.problems, v.notes, opts.json, { files: v.files, records: v.records, stamps: v.stamps, ...(from ? { zip: true } : {}) }, `bundle intact${from}: ${v.files} files, ${v.records} WARC records, ${v.stamps.filter((s) => s.ok).length} time-stamp(s)`);
  }
  const dataDir = existingDataDir(opts);
  const db = openDb(dataDir);
  try {
    const store = objectStore();
    const v = verifyStore(dataDir, db, store);
    const c = v.counts;
    if (!opts.json) out(dim(`custody log: ${c.logEntries} entries over ${c.rows} rows; ${c.blobs} blobs; ${c.warcFiles} WARC files (${c.records} records read one by one); head ${v.head}`));
    const where = store ? ` (the files as ${store.name} holds them, and this machine's copies)` : '';
    return report(v.problems, v.notes, opts.json, { ...c, head: v.head, ...(store ? { objects: store.name } : {}) }, `store intact: every blob, WARC file and logged row is as it was written${where}`);
  } finally {
    db.close();
  }
}
