import type { S3Client } from '@aws-sdk/client-s3';
import { fileURLToPath } from 'node:url';
import { createSyncFn } from 'synckit';
import { StoreError } from '../db-type.js';
import { objectStoreLocation, type ObjectStoreLocation } from '../storage-setting.js';
import { endpointOf } from './s3-config.js';
import type { ObjectAnswer, ObjectCall, ObjectOp } from './s3-worker.js';
import { entryUrl } from '../../entries.js';

/** The object store could not be reached or refused a call; names the store, never the keys. */
export class ObjectStoreError extends StoreError {
  override name = 'ObjectStoreError';
  /** a run halts on it as on a full disk (write-failure.ts): the next write would fail the same way */
  readonly code = 'XJ_OBJECT_STORE';
}

let bridge: ((call: ObjectCall) => ObjectAnswer) | undefined;

// only what the S3 client reads, so that the worker builds the same client as this thread
const AWS_VARS = ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'];

/**
 * A team's files in an S3-compatible bucket, under the same relative paths as in a data
 * directory (blobs/sha256/ab/cd/…, warc/YYYY-MM-DD/…), each written once. The data directory
 * stays a cache of it: files are written there first, read from there when present, and fetched
 * into it (hash-checked) when another machine wrote them.
 */
export class ObjectStore {
  private async_: S3Client | undefined;
  private readonly env: Record<string, string | undefined>;

  constructor(
    readonly location: ObjectStoreLocation,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.env = Object.fromEntries(AWS_VARS.map((k) => [k, env[k]]));
  }

  /** s3://bucket/prefix at the endpoint, for messages. */
  get name(): string {
    return `s3://${this.location.bucket}/${this.location.prefix} at ${endpointOf(this.env)}`;
  }

  key(rel: string): string {
    return this.location.prefix + rel;
  }

  /** Writes the bytes under `rel` unless something is there already (the keys are content addresses). */
  async putBytes(rel: string, bytes: Uint8Array): Promise<void> {
    // the SDK is loaded on the first write: a tenth of a second at the start of every command that writes nothing
    const [{ s3Client }, { describeS3Error, putIfAbsent }] = await Promise.all([import('./s3-client.js'), import('./s3-ops.js')]);
    this.async_ ??= s3Client(this.env);
    try {
      await putIfAbsent(this.async_, this.location.bucket, this.key(rel), { bytes });
    } catch (e) {
      throw new ObjectStoreError(`the object store ${this.name} did not take ${rel}: ${describeS3Error(e)}`);
    }
  }

  /** The same for a file on disk (a sealed WARC file), waiting for it. */
  putFileSync(rel: string, path: string): 'written' | 'present' {
    return this.call({ op: 'put-file', key: this.key(rel), path }, rel) as 'written' | 'present';
  }

  headSync(rel: string): { size: number } | undefined {
    return (this.call({ op: 'head', key: this.key(rel) }, rel) as { size: number } | null) ?? undefined;
  }

  /** Copies the object into `path` (whole or not at all); with `sha256`, only if it hashes to it. */
  fetchSync(rel: string, path: string, sha256?: string): { sha256: string; size: number } | undefined {
    return (this.call({ op: 'download', key: this.key(rel), path, sha256 }, rel) as { sha256: string; size: number } | null) ?? undefined;
  }

  /** SHA-256 of the object as the store serves it now. */
  hashSync(rel: string): { sha256: string; size: number } | undefined {
    return (this.call({ op: 'hash', key: this.key(rel) }, rel) as { sha256: string; size: number } | null) ?? undefined;
  }

  /** Throws unless the bucket answers with these keys: a read of a key no one writes (absent is an answer). */
  checkSync(): void {
    this.hashSync('.xjwatch-reachable');
  }

  private call(c: ObjectOp, rel: string): unknown {
    bridge ??= createSyncFn(fileURLToPath(entryUrl('s3-worker', new URL('./s3-worker.js', import.meta.url)))) as (call: ObjectCall) => ObjectAnswer;
    const a = bridge({ ...c, bucket: this.location.bucket, env: this.env });
    if (!a.ok) throw new ObjectStoreError(`the object store ${this.name} failed${rel ? ` on ${rel}` : ''}: ${a.message}`);
    return a.value;
  }
}

const stores = new Map<string, ObjectStore>();

/** The team's object store as XJWATCH_BLOBS names it, or undefined in local mode. */
export function objectStore(env: NodeJS.ProcessEnv = process.env): ObjectStore | undefined {
  const loc = objectStoreLocation(env);
  if (!loc) return undefined;
  const id = `${loc.bucket}/${loc.prefix}`;
  let s = stores.get(id);
  if (!s) stores.set(id, (s = new ObjectStore(loc, env)));
  return s;
}
