import { StoreError } from './db-type.js';

/**
 * The team catalogue, when there is one: XJWATCH_DATABASE_URL. Without it the catalogue is the
 * data directory's SQLite file. Only the environment names it: the URL carries a password.
 */
export function catalogueUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = env.XJWATCH_DATABASE_URL?.trim();
  if (!url) {
    // blobs shared while the catalogue is not would name captures no other machine can find
    if (env.XJWATCH_BLOBS?.trim()) throw new StoreError('XJWATCH_BLOBS is set but XJWATCH_DATABASE_URL is not: the object store is for team storage, with the catalogue in PostgreSQL (set both, or neither)');
    return undefined;
  }
  if (!/^postgres(?:ql)?:\/\//i.test(url)) throw new StoreError(`XJWATCH_DATABASE_URL must be a postgres:// URL (it is "${url.replace(/:[^:@/]*@/, ':***@').slice(0, 80)}")`);
  return url;
}

/** Where the object store keeps a team's files: XJWATCH_BLOBS=s3://bucket/prefix. */
export interface ObjectStoreLocation {
  bucket: string;
  /** '' or ending in '/' */
  prefix: string;
}

/** The team object store, when there is one. Team mode without it keeps files in each data directory. */
export function objectStoreLocation(env: NodeJS.ProcessEnv = process.env): ObjectStoreLocation | undefined {
  const raw = env.XJWATCH_BLOBS?.trim();
  if (!raw) return undefined;
  catalogueUrl(env);
  return parseObjectStoreUrl(raw, 'XJWATCH_BLOBS');
}

export function parseObjectStoreUrl(raw: string, name: string): ObjectStoreLocation {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(raw);
  if (!m) throw new StoreError(`${name} must be s3://bucket/prefix, with a bucket name of 3 to 63 lower-case letters, digits, dots and hyphens (it is "${raw.slice(0, 80)}")`);
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((p) => p === '.' || p === '..')) throw new StoreError(`${name}: the prefix "${prefix}" must not hold . or .. parts`);
  return { bucket: m[1]!, prefix: prefix ? `${prefix}/` : '' };
}
