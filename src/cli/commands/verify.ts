import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../../config/errors.js';
import { verifyBundle } from '../../evidence/bundle-verify.js';
import { verifyStore, type Finding } from '../../evidence/store-verify.js';
import { openDb } from '../../store/db.js';
import { existingDataDir, out, printJson, safe, type CommonOptions } from '../common.js';
import { dim, green, red, yellow } from '../format.js';

export type VerifyOptions = CommonOptions;

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

/** `xjwatch verify DIR` checks a bundle; `xjwatch verify --data-dir D` re-hashes the whole store. Exit 1 on any mismatch. */
export async function verifyCommand(dir: string | undefined, opts: VerifyOptions): Promise<number> {
  if (dir) {
    const bundle = resolve(dir);
    if (!existsSync(bundle)) throw new InputError('no such folder', bundle);
    const v = await verifyBundle(bundle);
    if (!opts.json) {
      for (const s of v.stamps.filter((x) => x.ok)) {
        out(`${green('time-stamp')} ${safe(s.file)}: ${s.genTime}`);
        out(dim(`           signed under the root the bundle carries: ${safe(s.root ?? '')} — compare it with the authority's published fingerprint`));
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
