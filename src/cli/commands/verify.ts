import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../../config/errors.js';
import { verifyBundle } from '../../evidence/bundle-verify.js';
import { verifyStore, type Finding } from '../../evidence/store-verify.js';
import { openDb } from '../../store/db.js';
import { existingDataDir, out, printJson, safe, type CommonOptions } from '../common.js';
import { dim, green, red, yellow } from '../format.js';
import { shellQuote } from '../../text/shell-quote.js';

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

/** What to do with a file given where a bundle folder was expected: a bundle's .zip is unpacked first. */
function notAFolder(path: string): string {
  const head = Buffer.alloc(30 + 255);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (n < 30 || head.readUInt32LE(0) !== 0x04034b50) return 'is a file, not a bundle folder';
  // the first entry's name gives the folder the zip holds (prove writes one top folder)
  const name = head.subarray(30, 30 + Math.min(head.readUInt16LE(26), n - 30)).toString('utf8');
  const top = /^[\w.@+-]+/.exec(name)?.[0] ?? 'BUNDLE';
  const to = shellQuote(`${path.replace(/\.zip$/i, '')}-unpacked`);
  return `is a zip, not a bundle folder: unpack it (\`unzip -q ${shellQuote(path)} -d ${to}\`; unzip refuses entries that climb out of the folder) and verify the folder it holds: \`xjwatch verify ${to}/${top}\``;
}

/** `xjwatch verify DIR` checks a bundle; `xjwatch verify --data-dir D` re-hashes the whole store. Exit 1 on any mismatch. */
export async function verifyCommand(dir: string | undefined, opts: VerifyOptions): Promise<number> {
  if (dir) {
    const bundle = resolve(dir);
    if (!existsSync(bundle)) throw new InputError('no such folder', bundle);
    const st = statSync(bundle);
    if (!st.isDirectory()) throw new InputError(st.isFile() ? notAFolder(bundle) : 'is not a folder (nor a file)', bundle);
    let trustedRootsPem: string | undefined;
    if (opts.ca) {
      try {
        trustedRootsPem = readFileSync(opts.ca, 'utf8');
      } catch (e) {
        throw new InputError(`cannot read (${(e as NodeJS.ErrnoException).code ?? e})`, opts.ca, undefined, '--ca');
      }
      if (!trustedRootsPem.includes('-----BEGIN CERTIFICATE-----')) throw new InputError('holds no PEM certificate', opts.ca, undefined, '--ca');
    }
    const v = await verifyBundle(bundle, trustedRootsPem ? { trustedRootsPem } : {});
    if (!opts.json) {
      for (const s of v.stamps.filter((x) => x.ok)) {
        out(`${green('time-stamp')} ${safe(s.file)}: ${s.genTime}`);
        out(dim(opts.ca ? `           signed under the root you trust (${safe(opts.ca)}): ${safe(s.root ?? '')}` : `           signed under the root the bundle carries: ${safe(s.root ?? '')} — compare it with the authority's published fingerprint, or pass --ca`));
      }
    }
    return report(v.problems, v.notes, opts.json, { files: v.files, records: v.records, stamps: v.stamps }, `bundle intact: ${v.files} files, ${v.records} WARC records, ${v.stamps.filter((s) => s.ok).length} time-stamp(s)`);
  }
  const dataDir = existingDataDir(opts);
  const db = openDb(dataDir);
  try {
    const v = verifyStore(dataDir, db);
    const c = v.counts;
    if (!opts.json) out(dim(`custody log: ${c.logEntries} entries over ${c.rows} rows; ${c.blobs} blobs; ${c.warcFiles} WARC files (${c.records} records read one by one); head ${v.head}`));
    return report(v.problems, v.notes, opts.json, { ...c, head: v.head }, 'store intact: every blob, WARC file and logged row is as it was written');
  } finally {
    db.close();
  }
}
