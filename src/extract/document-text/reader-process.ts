import type { DocumentKind } from './kind.js';
import type { Segment } from './places.js';
import { LIMITS, readDocument } from './readers.js';

export interface Job {
  id: number;
  kind: DocumentKind;
  bytes: Uint8Array;
}
export type Reply = { id: number; text: string; segments: Segment[]; notes?: string[] } | { id: number; error: string };

// Attachments are untrusted input to large parsers: they run here, in a child process with its
// own heap limit, which the parent kills when a file takes too long. A process, not a worker
// thread: terminating a thread in the middle of a parser's zlib call aborts the whole parent
// (Node's "close before init" assertion), while killing a process cannot touch its parent.
if (!process.send) throw new Error('reader-process runs as a child of xjwatch (child_process.fork)');
process.on('message', (job: Job) => {
  readDocument(job.kind, job.bytes).then(
    (read) => process.send!({ id: job.id, text: read.text.slice(0, LIMITS.MAX_CHARS), segments: read.segments.filter((s) => s.at < LIMITS.MAX_CHARS), ...(read.notes?.length ? { notes: read.notes } : {}) } satisfies Reply),
    (err: unknown) => process.send!({ id: job.id, error: String((err as Error)?.message ?? err).slice(0, 300) } satisfies Reply),
  );
});
// the parent closed the channel (its close(), or it died): nothing more will come
process.on('disconnect', () => process.exit(0));
