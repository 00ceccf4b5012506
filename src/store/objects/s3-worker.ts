import type { S3Client } from '@aws-sdk/client-s3';
import { runAsWorker } from 'synckit';
import { s3Client } from './s3-client.js';
import { describeS3Error, download, hashObject, headObject, putIfAbsent } from './s3-ops.js';

// The thread that answers the object store's synchronous calls (object-store.ts): the readers
// (serve, prove, verify, alerts) read blobs synchronously, as they read files.

export type ObjectOp =
  | { op: 'head'; key: string }
  | { op: 'download'; key: string; path: string; sha256?: string }
  | { op: 'hash'; key: string }
  | { op: 'put-file'; key: string; path: string };

export type ObjectCall = ObjectOp & { bucket: string; env: Record<string, string | undefined> };

export type ObjectAnswer = { ok: true; value: unknown } | { ok: false; message: string };

const clients = new Map<string, S3Client>();

runAsWorker(async (call: ObjectCall): Promise<ObjectAnswer> => {
  try {
    const id = JSON.stringify(call.env);
    let s3 = clients.get(id);
    if (!s3) clients.set(id, (s3 = s3Client(call.env)));
    const b = call.bucket;
    switch (call.op) {
      case 'head':
        return { ok: true, value: (await headObject(s3, b, call.key)) ?? null };
      case 'download':
        return { ok: true, value: (await download(s3, b, call.key, call.path, call.sha256)) ?? null };
      case 'hash':
        return { ok: true, value: (await hashObject(s3, b, call.key)) ?? null };
      case 'put-file':
        return { ok: true, value: await putIfAbsent(s3, b, call.key, { path: call.path }) };
    }
  } catch (e) {
    return { ok: false, message: describeS3Error(e) };
  }
});
