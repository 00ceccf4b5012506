import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

// The object store's few operations, all on single objects (no bucket listing: what must be there
// is what the catalogue names, and bucket-level calls are where S3-compatible servers differ most),
// shared by the async path (uploads during a crawl) and the
// thread that answers the store's synchronous reads (s3-worker.ts).

const status = (e: unknown) => (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
// a GET's 404 says which is missing; a missing bucket is a wrong setting, not an absent object
const absent = (e: unknown) => status(e) === 404 && (e as Error).name !== 'NoSuchBucket';

/** Size of the object, or undefined when there is none. */
export async function headObject(s3: S3Client, bucket: string, key: string): Promise<{ size: number } | undefined> {
  try {
    const r = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { size: r.ContentLength ?? 0 };
  } catch (e) {
    if (status(e) === 404) return undefined;
    throw e;
  }
}

/**
 * Writes the object unless it is there: evidence is written once. If-None-Match makes the check
 * and the write one step where the server honours it (S3, MinIO, Garage); the HEAD before covers
 * servers that ignore it, and a content-addressed key holds the same bytes whoever wins a race.
 */
export async function putIfAbsent(s3: S3Client, bucket: string, key: string, body: { bytes: Uint8Array } | { path: string }): Promise<'written' | 'present'> {
  if (await headObject(s3, bucket, key)) return 'present';
  const size = 'bytes' in body ? body.bytes.length : (await stat(body.path)).size;
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'bytes' in body ? body.bytes : createReadStream(body.path), ContentLength: size, IfNoneMatch: '*' }));
    return 'written';
  } catch (e) {
    if (status(e) === 412 || status(e) === 409) return 'present';
    throw e;
  }
}

function hashing(hash: ReturnType<typeof createHash>, counted: { size: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      counted.size += chunk.length;
      done(null, chunk);
    },
  });
}

/** The object's answer, its body still to read; undefined when there is none. */
async function getObject(s3: S3Client, bucket: string, key: string) {
  try {
    return await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  } catch (e) {
    if (absent(e)) return undefined;
    throw e;
  }
}

/**
 * Copies the object into a local file (whole or absent: a temporary file renamed into place),
 * hashing it on the way. With `sha256`, bytes that do not hash to it are not kept.
 */
export async function download(s3: S3Client, bucket: string, key: string, path: string, sha256?: string): Promise<{ sha256: string; size: number } | undefined> {
  const r = await getObject(s3, bucket, key);
  if (!r) return undefined;
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const hash = createHash('sha256');
  const counted = { size: 0 };
  try {
    await pipeline(r.Body as NodeJS.ReadableStream, hashing(hash, counted), createWriteStream(tmp, { mode: 0o644 }));
    const got = hash.digest('hex');
    if (sha256 && got !== sha256) throw new Error(`s3://${bucket}/${key} does not hash to its name: its bytes are ${got}`);
    await rename(tmp, path);
    return { sha256: got, size: counted.size };
  } finally {
    await rm(tmp, { force: true });
  }
}

/** SHA-256 and size of the object as the store gives it now, or undefined when there is none. */
export async function hashObject(s3: S3Client, bucket: string, key: string): Promise<{ sha256: string; size: number } | undefined> {
  const r = await getObject(s3, bucket, key);
  if (!r) return undefined;
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of r.Body as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** An SDK error in words: its name, message and HTTP status; a refusal says which settings to look at. */
export function describeS3Error(e: unknown): string {
  const err = e as Error & { $metadata?: { httpStatusCode?: number } };
  const code = err.$metadata?.httpStatusCode;
  // a HEAD's refusal has no body, so the SDK can only say "UnknownError": the status says it all
  if (code === 403) return `access refused (HTTP 403${/^Unknown/.test(err.name ?? '') ? '' : `, ${err.name}`}): the keys (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) are wrong or may not use this bucket`;
  return `${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message || 'no message'}${code ? ` (HTTP ${code})` : ''}`;
}
