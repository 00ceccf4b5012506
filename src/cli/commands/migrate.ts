import { InputError } from '../../config/errors.js';
import { verifyStore } from '../../evidence/store-verify.js';
import { openSqlite, StoreError } from '../../store/db.js';
import { copyCatalogue, custodyHead, rowCounts, rowsIn } from '../../store/pg/copy.js';
import { PgDb, redact } from '../../store/pg/connection.js';
import { openPgDb } from '../../store/pg/database.js';
import { TeamLock } from '../../store/pg/team-lock.js';
import { catalogueUrl, objectStoreLocation, parseObjectStoreUrl } from '../../store/storage-setting.js';
import { ObjectStore } from '../../store/objects/object-store.js';
import { sendDataDirFiles } from '../../store/objects/send-files.js';
import { DataDirBusy, WriterLock } from '../../store/writer-lock.js';
import { existingDataDir, out, printJson, RuntimeFailure, type CommonOptions } from '../common.js';
import { dim, green, red } from '../format.js';

interface MigrateOptions extends CommonOptions {
  to?: string;
  blobs?: string;
}

/**
 * `xjwatch migrate --to postgres://… [--blobs s3://…]`: the data directory's catalogue copied into
 * an empty team database, then verified there before it is committed — every custody entry
 * re-derived from its copied row, the chain's head the same as here, every blob and WARC file
 * re-hashed against the copied rows. With an object store, the data directory's files are sent
 * there first, and the re-hashing is of the store's copies. A copy that does not verify is
 * rolled back: the database stays empty (objects sent stay: written once, under their own
 * hashes, they are what a second try sends anyway). The data directory is left as it was.
 */
export function migrateCommand(opts: MigrateOptions): number {
  const to = opts.to ? catalogueUrl({ XJWATCH_DATABASE_URL: opts.to }) : catalogueUrl();
  if (!to) throw new InputError('names no team catalogue: give --to postgres://user@host:port/database (or set XJWATCH_DATABASE_URL)', undefined, undefined, '--to');
  let where;
  try {
    where = opts.blobs ? parseObjectStoreUrl(opts.blobs, 'it') : objectStoreLocation({ XJWATCH_DATABASE_URL: to, XJWATCH_BLOBS: process.env.XJWATCH_BLOBS });
  } catch (e) {
    // a malformed XJWATCH_BLOBS names itself; a malformed --blobs is named here
    throw opts.blobs ? new InputError((e as Error).message, undefined, undefined, '--blobs') : e;
  }
  const store = where ? new ObjectStore(where) : undefined;
  // the source is the data directory's own file and folder, whatever the environment names
  delete process.env.XJWATCH_DATABASE_URL;
  delete process.env.XJWATCH_BLOBS;
  const dataDir = existingDataDir(opts);
  let local: WriterLock | undefined;
  let team: TeamLock | undefined;
  try {
    local = WriterLock.take(dataDir, 'migrate');
    const got = TeamLock.take(to, 'migrate');
    if (!(got instanceof TeamLock)) throw new DataDirBusy(dataDir, got, redact(to));
    team = got;
    return migrate(dataDir, to, store, opts.json ?? false);
  } catch (e) {
    if (e instanceof DataDirBusy) throw new RuntimeFailure(`${e.message}; not migrated: migrate copies a catalogue nobody writes (stop that run, or wait for it)`);
    throw e;
  } finally {
    team?.release();
    local?.release();
  }
}

function migrate(dataDir: string, to: string, store: ObjectStore | undefined, json: boolean): number {
  let verdict: { ok: boolean; summary: Record<string, unknown> } = { ok: false, summary: {} };
  const from = openSqlite(dataDir, { readonly: false });
  const target = openPgDb(to) as PgDb;
  try {
    const already = rowsIn(target);
    if (already) throw new StoreError(`the team catalogue ${redact(to)} already holds a catalogue (${already} runs, pages and custody entries): migrate moves into an empty one`);
    if (!json) out(`${dataDir} → ${redact(to)}${store ? ` and ${store.name}` : ''}`);
    let sent: { written: number; present: number } | undefined;
    if (store) {
      sent = sendDataDirFiles(dataDir, store);
      if (!json) out(dim(`  files: ${sent.written} sent, ${sent.present} already in the object store`));
    }
    target.transaction(() => {
      const copied = copyCatalogue(from, target, (t) => !json && out(dim(`  ${t.table}: ${t.rows} row(s)`)));
      const tables = copied.map((c) => c.table);
      const here = rowCounts(from, tables);
      const there = rowCounts(target, tables);
      const short = tables.filter((t) => here.get(t) !== there.get(t)).map((t) => `${t}: ${here.get(t)} here, ${there.get(t)} there`);
      const v = verifyStore(dataDir, target, store);
      const head = custodyHead(from);
      const problems = [...short.map((s) => ({ path: 'row count', problem: s })), ...(v.head !== head ? [{ path: 'custody head', problem: `${v.head} there, ${head} here` }] : []), ...v.problems];
      verdict = { ok: problems.length === 0, summary: { tables: Object.fromEntries(copied.map((c) => [c.table, c.rows])), ...v.counts, ...(store && sent ? { objects: { store: store.name, ...sent } } : {}), head: v.head, problems } };
      if (!json) {
        for (const p of problems.slice(0, 50)) out(red(`  ${p.path}: ${p.problem}`));
        if (problems.length > 50) out(red(`  … and ${problems.length - 50} more`));
      }
      // rolled back: nothing half-moved stays in the team catalogue
      if (problems.length) throw new CopyRefused();
    })();
    report(verdict, to, store, json);
    return 0;
  } catch (e) {
    if (!(e instanceof CopyRefused)) throw e;
    report(verdict, to, store, json);
    return 1;
  } finally {
    target.close();
    from.close();
  }
}

class CopyRefused extends Error {}

function report(v: { ok: boolean; summary: Record<string, unknown> }, to: string, store: ObjectStore | undefined, json: boolean): void {
  if (json) {
    printJson({ migrated: v.ok, to: redact(to), ...v.summary });
    return;
  }
  if (!v.ok) {
    out(red(`not migrated: the copy did not verify in ${redact(to)}, so it was rolled back (the team catalogue is empty, the data directory unchanged)`));
    return;
  }
  const s = v.summary as { logEntries: number; rows: number; blobs: number; warcFiles: number; head: string };
  const where = store ? ` in ${store.name}` : '';
  out(green(`migrated and verified in ${redact(to)}:`) + ` ${s.logEntries} custody entries re-derived from the ${s.rows} rows they cover, chain head ${s.head} as here; ${s.blobs} blobs and ${s.warcFiles} WARC files re-hashed${where} against the copied rows`);
  if (store) out(dim(`set XJWATCH_DATABASE_URL to that URL and XJWATCH_BLOBS to s3://${store.location.bucket}/${store.location.prefix} for every command from now on`));
  else out(dim('set XJWATCH_DATABASE_URL to that URL for every command from now on; blobs, WARC files and pictures stay in this data directory (--blobs s3://… moves them too)'));
}
