import { StoreError } from './db-type.js';

/**
 * The team catalogue, when there is one: XJWATCH_DATABASE_URL. Without it the catalogue is the
 * data directory's SQLite file. Only the environment names it: the URL carries a password.
 */
export function catalogueUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  // refused rather than ignored: an operator who set it would believe blobs were leaving the machine
  if (env.XJWATCH_BLOBS?.trim()) throw new StoreError('XJWATCH_BLOBS is set, but this xjwatch keeps blobs, WARC files and pictures in the data directory only (the object store is not built yet): unset it');
  const url = env.XJWATCH_DATABASE_URL?.trim();
  if (!url) return undefined;
  if (!/^postgres(?:ql)?:\/\//i.test(url)) throw new StoreError(`XJWATCH_DATABASE_URL must be a postgres:// URL (it is "${url.replace(/:[^:@/]*@/, ':***@').slice(0, 80)}")`);
  return url;
}
