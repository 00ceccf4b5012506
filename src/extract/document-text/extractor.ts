import { Worker } from 'node:worker_threads';
import { documentKind, type DocumentKind } from './kind.js';
import type { Job, Reply } from './worker.js';

export interface DocumentText {
  kind: DocumentKind;
  text: string;
  /** why there is no text: unknown type, unreadable file, time limit */
  problem?: string;
}

/**
 * Text of attached documents (PDF, DOC/DOCX, XLS/XLSX), read in one worker thread: per run, or
 * per watcher thread for all of its runs (a reader per run was 500 threads at 500 sites). A file
 * that hangs or exhausts the worker's heap costs that file only: the worker is replaced.
 */
export class DocumentTextExtractor {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: Reply) => void; timer: NodeJS.Timeout; worker: Worker }>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: { timeoutMs?: number; maxHeapMb?: number } = {}) {}

  /**
   * `stop`: the caller's run stopping; a file still waiting its turn then is not read (its bytes
   * are kept all the same), so that a watcher's stop does not wait for a backlog of files.
   */
  async extract(bytes: Uint8Array, name = '', contentType = '', opts: { timeoutMs?: number; stop?: AbortSignal } = {}): Promise<DocumentText> {
    const kind = documentKind(bytes, name, contentType);
    if (kind === 'unknown') return { kind, text: '', problem: 'not a document type xjwatch reads (pdf, doc, docx, xls, xlsx, txt)' };
    // one file at a time: the parsers are CPU-bound and the worker is single-threaded anyway
    const run = this.queue.then(() => (opts.stop?.aborted ? undefined : this.send(kind, bytes, opts.timeoutMs ?? this.opts.timeoutMs ?? 60_000)));
    this.queue = run.catch(() => undefined);
    const reply = await run;
    if (!reply) return { kind, text: '', problem: `the ${kind} file was not read: the run stopped before its turn` };
    if ('error' in reply) return { kind, text: '', problem: `could not read the ${kind} file: ${reply.error}` };
    return { kind, text: reply.text };
  }

  close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    return w ? w.terminate().then(() => undefined) : Promise.resolve();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./worker.js', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: this.opts.maxHeapMb ?? 768 } });
    w.unref();
    w.on('message', (r: Reply) => {
      const entry = this.waiting.get(r.id);
      if (!entry) return;
      clearTimeout(entry.timer);
      this.waiting.delete(r.id);
      entry.resolve(r);
    });
    // only the jobs of this worker fail with it: a replacement may already be at work on the next
    const fail = (why: string) => {
      if (this.worker === w) this.worker = undefined;
      for (const [id, entry] of this.waiting) {
        if (entry.worker !== w) continue;
        clearTimeout(entry.timer);
        this.waiting.delete(id);
        entry.resolve({ id, error: why });
      }
    };
    w.on('error', (err) => fail(`the reader crashed: ${err.message}`));
    w.on('exit', (code) => fail(code === 0 ? 'the reader was stopped' : `the reader stopped (exit ${code}; out of memory?)`));
    this.worker = w;
    return w;
  }

  private send(kind: DocumentKind, bytes: Uint8Array, timeoutMs: number): Promise<Reply> {
    const w = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<Reply>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve({ id, error: `gave up after ${timeoutMs / 1000} s` });
        if (this.worker === w) this.worker = undefined;
        void w.terminate();
      }, timeoutMs);
      this.waiting.set(id, { resolve, timer, worker: w });
      w.postMessage({ id, kind, bytes: new Uint8Array(bytes) } satisfies Job);
    });
  }
}
