import { parentPort } from 'node:worker_threads';
import type { DocumentKind } from './kind.js';
import { LIMITS, readDocument } from './readers.js';

export interface Job {
  id: number;
  kind: DocumentKind;
  bytes: Uint8Array;
}
export type Reply = { id: number; text: string } | { id: number; error: string };

// Attachments are untrusted input to large parsers: they run here, in a worker with its own
// heap limit, which the parent terminates when a file takes too long.
parentPort!.on('message', (job: Job) => {
  readDocument(job.kind, job.bytes).then(
    (text) => parentPort!.postMessage({ id: job.id, text: text.slice(0, LIMITS.MAX_CHARS) } satisfies Reply),
    (err: unknown) => parentPort!.postMessage({ id: job.id, error: String((err as Error)?.message ?? err).slice(0, 300) } satisfies Reply),
  );
});
