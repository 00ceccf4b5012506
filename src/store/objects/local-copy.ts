import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { objectStore, type ObjectStore } from './object-store.js';

/**
 * The path of a data directory's file (a WARC file, say), fetched from the team's object store
 * first when this machine does not hold it. Without an object store, or when the store has no
 * such file either, the path as it is: the reader's own error then names the missing file.
 */
export function localCopy(dataDir: string, rel: string, store: ObjectStore | undefined = objectStore()): string {
  const path = join(dataDir, rel);
  if (store && !existsSync(path)) store.fetchSync(rel, path);
  return path;
}

/**
 * WARC files of this data directory that the object store lacks: a run killed before its file
 * was sealed (and uploaded), or an upload that failed. The writer of each is named in the file
 * name (…-run<id>-<pid>-NNNNN.warc.gz); files whose writer still runs (`running`) are left to it.
 * Returns the files sent.
 */
export function sendUnsentWarcs(dataDir: string, store: ObjectStore, running: (pid: number) => boolean): string[] {
  const root = join(dataDir, 'warc');
  const sent: string[] = [];
  for (const day of existsSync(root) ? readdirSync(root) : []) {
    for (const name of readdirSync(join(root, day))) {
      const m = /-run\d+-(\d+)-\d{5}\.warc\.gz$/.exec(name);
      if (!m || Number(m[1]) === process.pid || running(Number(m[1]))) continue;
      const rel = `warc/${day}/${name}`;
      if (store.putFileSync(rel, join(root, day, name)) === 'written') sent.push(rel);
    }
  }
  return sent;
}
