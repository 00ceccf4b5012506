import { InputError } from '../../config/errors.js';
import { verifyStore } from '../../evidence/store-verify.js';
import { openSqlite, StoreError } from '../../store/db.js';
import { copyCatalogue, custodyHead, rowCounts, rowsIn } from '../../store/pg/copy.js';
import { PgDb, redact } from '../../store/pg/connection.js';
import { openPgDb } from '../../store/pg/database.js';
import { TeamLock } from '../../store/pg/team-lock.js';
import { catalogueUrl } from '../../store/storage-setting.js';
import { DataDirBusy, WriterLock } from '../../store/writer-lock.js';
import { existingDataDir, out, printJson, RuntimeFailure, type CommonOptions } from '../common.js';
import { dim, green, red } from '../format.js';

interface MigrateOptions extends CommonOptions {
  to?: string;
  blobs?: string;
}

/**
 * `xjwatch migrate --to postgres://…`: the data directory's catalogue copied into an empty team
 * database, then verified there before it is committed — every custody entry re-derived from its
 * copied row, the chain's head the same as here, every blob and WARC file re-hashed against the
 * copied rows. A copy that does not verify is rolled back: the database stays empty. The data
 * directory is left as it was (still a working local catalogue).
 */
export function migrateCommand(opts: MigrateOptions): number {
  if (opts.blobs) throw new InputError('the object store is not built yet: blobs, WARC files, pictures and bundles stay in the data directory; run migrate without --blobs', opts.blobs, undefined, '--blobs');
  const to = opts.to ? catalogueUrl({ XJWATCH_DATABASE_URL: opts.to }) : catalogueUrl();
  if (!to) throw new InputError('names no team catalogue: give --to postgres://user@host:port/database (or set XJWATCH_DATABASE_URL)', undefined, undefined, '--to');
  // the source is the data directory's own file, whatever the environment names
  delete process.env.XJWATCH_DATABASE_URL;
  const dataDir = existingDataDir(opts);
  let local: WriterLock | undefined;
  let team: TeamLock | undefined;
  try {
    local = WriterLock.take(dataDir, 'migrate');
    const got = TeamLock.take(to, 'migrate');
    if (!(got instanceof TeamLock)) throw new DataDirBusy(dataDir, got, redact(to));
    team = got;
    return migrate(dataDir, to, opts.json ?? false);
  } catch (e) {
    if (e instanceof DataDirBusy) throw new RuntimeFailure(`${e.message}; not migrated: migrate copies a catalogue nobody writes (stop that run, or wait for it)`);
    throw e;
  } finally {
    team?.release();
    local?.release();
  }
}

function migrate(dataDir: string, to: string, json: boolean): number {
  let verdict: { ok: boolean; summary: Record<string, unknown> } = { ok: false, summary: {} };
  const from = openSqlite(dataDir, { readonly: false });
  const target = openPgDb(to) as PgDb;
  try {
    const already = rowsIn(target);
    if (already) throw new StoreError(`the team catalogue ${redact(to)} already holds a catalogue (${already} runs, pages and custody entries): migrate moves into an empty one`);
    if (!json) out(`${dataDir} → ${redact(to)}`);
    target.transaction(() => {
      const copied = copyCatalogue(from, target, (t) => !json && out(dim(`  ${t.table}: ${t.rows} row(s)`)));
      const tables = copied.map((c) => c.table);
      const here = rowCounts(from, tables);
      const there = rowCounts(target, tables);
      const short = tables.filter((t) => here.get(t) !== there.get(t)).map((t) => `${t}: ${here.get(t)} here, ${there.get(t)} there`);
      const v = verifyStore(dataDir, target);
      const head = custodyHead(from);
      const problems = [...short.map((s) => ({ path: 'row count', problem: s })), ...(v.head !== head ? [{ path: 'custody head', problem: `${v.head} there, ${head} here` }] : []), ...v.problems];
      verdict = { ok: problems.length === 0, summary: { tables: Object.fromEntries(copied.map((c) => [c.table, c.rows])), ...v.counts, head: v.head, problems } };
      if (!json) {
        for (const p of problems.slice(0, 50)) out(red(`  ${p.path}: ${p.problem}`));
        if (problems.length > 50) out(red(`  … and ${problems.length - 50} more`));
      }
      // rolled back: nothing half-moved stays in the team catalogue
      if (problems.length) throw new CopyRefused();
    })();
    report(verdict, to, json);
    return 0;
  } catch (e) {
    if (!(e instanceof CopyRefused)) throw e;
    report(verdict, to, json);
    return 1;
  } finally {
    target.close();
    from.close();
  }
}

class CopyRefused extends Error {}

function report(v: { ok: boolean; summary: Record<string, unknown> }, to: string, json: boolean): void {
  if (json) {
    printJson({ migrated: v.ok, to: redact(to), ...v.summary });
    return;
  }
  if (!v.ok) {
    out(red(`not migrated: the copy did not verify in ${redact(to)}, so it was rolled back (the team catalogue is empty, the data directory unchanged)`));
    return;
  }
  const s = v.summary as { logEntries: number; rows: number; blobs: number; warcFiles: number; head: string };
  out(green(`migrated and verified in ${redact(to)}:`) + ` ${s.logEntries} custody entries re-derived from the ${s.rows} rows they cover, chain head ${s.head} as here; ${s.blobs} blobs and ${s.warcFiles} WARC files re-hashed against the copied rows`);
  out(dim('set XJWATCH_DATABASE_URL to that URL for every command from now on; blobs, WARC files, pictures and bundles stay in this data directory'));
}
