import { fork, type ChildProcess } from 'node:child_process';
import { documentKind, type DocumentKind } from './kind.js';
import type { Segment } from './places.js';
import type { Job, Reply } from './reader-process.js';
import { withoutNul } from '../decode.js';
import { entryUrl } from '../../entries.js';

export interface DocumentText {
  kind: DocumentKind;
  text: string;
  /** where each stretch of the text came from (pages, paragraphs, rows): see places.ts */
  segments?: Segment[];
  /** why there is no text: unknown type, unreadable file, time limit */
  problem?: string;
  /** how the text was got, where a researcher should know (scanned pages, read by OCR or not) */
  notes?: string[];
  /** named or sent as a document (.xls, application/pdf) that its bytes are not: a finding to report, not merely a file type xjwatch skips */
  misnamed?: boolean;
}

const CLAIMED: Record<string, string> = { pdf: 'PDF', doc: 'Word', docx: 'Word', wps: 'WPS (Word)', xls: 'Excel', xlsx: 'Excel', et: 'WPS (Excel)', rtf: 'RTF', zip: 'ZIP' };

/** What a file named `name` (or typed `contentType`) claims to be, if a document. */
function claimed(name: string, contentType: string): string | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(name.trim())?.[1]?.toLowerCase() ?? '';
  if (CLAIMED[ext]) return `named .${ext}, but its bytes are not ${/^[AEIOU]/.test(CLAIMED[ext]) ? 'an' : 'a'} ${CLAIMED[ext]} file`;
  if (/^application\/(pdf|msword|vnd\.ms-excel|vnd\.openxmlformats)/i.test(contentType)) return `sent as ${contentType.split(';')[0]}, but its bytes are not that`;
  return undefined;
}

/**
 * A failure as a reader should see it: the time limit and a dead reader as they are; a parser's
 * error as the file's state — encrypted, or else damaged — with the parser's own words after.
 */
function unreadable(kind: DocumentKind, error: string): string {
  // xjwatch's own limits (the time, a dead reader, an archive refused) say what they are
  if (/^(gave up after|the reader )|refused unread/.test(error)) return `could not read the ${kind} file: ${error}`;
  if (/password|encrypt/i.test(error)) return `could not read the ${kind} file: it is encrypted (${error})`;
  return `could not read the ${kind} file: it is damaged or not a valid ${kind} file (${error})`;
}

/**
 * Text of attached documents (PDF, DOC/DOCX/WPS, XLS/XLSX/ET, RTF, ZIP), read in one child process: per run, or
 * per watcher thread for all of its runs (a reader per run was 500 readers at 500 sites). A file
 * that hangs or exhausts the reader's heap costs that file only: the reader is killed and replaced.
 */
export class DocumentTextExtractor {
  private worker: ChildProcess | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: Reply) => void; timer: NodeJS.Timeout; worker: ChildProcess }>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: { timeoutMs?: number; maxHeapMb?: number } = {}) {}

  /**
   * `stop`: the caller's run stopping; a file still waiting its turn then is not read (its bytes
   * are kept all the same), so that a watcher's stop does not wait for a backlog of files.
   */
  async extract(bytes: Uint8Array, name = '', contentType = '', opts: { timeoutMs?: number; stop?: AbortSignal } = {}): Promise<DocumentText> {
    const kind = documentKind(bytes, name, contentType);
    if (kind === 'rar') return { kind, text: '', problem: 'a RAR archive: xjwatch does not open RAR (no well-kept reader runs in Node); its bytes are kept as received' };
    if (kind === 'unknown') {
      const claim = claimed(name, contentType);
      if (claim) return { kind, text: '', misnamed: true, problem: `could not read the file: ${claim} (it begins ${JSON.stringify(Buffer.from(bytes.subarray(0, 12)).toString('latin1'))})` };
      return { kind, text: '', problem: 'not a document type xjwatch reads (pdf, doc, docx, wps, xls, xlsx, et, rtf, zip, txt)' };
    }
    // one file at a time: the parsers are CPU-bound and the worker is single-threaded anyway
    const run = this.queue.then(() => (opts.stop?.aborted ? undefined : this.send(kind, bytes, opts.timeoutMs ?? this.opts.timeoutMs ?? 60_000)));
    this.queue = run.catch(() => undefined);
    const reply = await run;
    if (!reply) return { kind, text: '', problem: `the ${kind} file was not read: the run stopped before its turn` };
    if ('error' in reply) return { kind, text: '', problem: unreadable(kind, reply.error) };
    return { kind, text: withoutNul(reply.text), segments: reply.segments, ...(reply.notes ? { notes: reply.notes } : {}) };
  }

  close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (!w || w.exitCode !== null || w.signalCode !== null) return Promise.resolve();
    return new Promise((done) => {
      w.once('exit', () => done());
      w.ref(); // an unref'd child's exit would not keep this process up to hear it
      w.kill('SIGKILL');
    });
  }

  private ensureWorker(): ChildProcess {
    if (this.worker) return this.worker;
    // its own flags only: not the parent's (a test runner's loaders, --inspect)
    const w = fork(entryUrl('reader-process', new URL('./reader-process.js', import.meta.url)), [], {
      execArgv: [`--max-old-space-size=${this.opts.maxHeapMb ?? 768}`],
      serialization: 'advanced', // Uint8Array across without base64
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    // an idle reader does not hold the process open; a file being read does, by its timer
    w.unref();
    w.channel?.unref();
    w.on('message', (r: Reply) => {
      const entry = this.waiting.get(r.id);
      if (!entry) return;
      clearTimeout(entry.timer);
      this.waiting.delete(r.id);
      entry.resolve(r);
    });
    // only the jobs of this reader fail with it: a replacement may already be at work on the next
    const fail = (why: string) => {
      if (this.worker === w) this.worker = undefined;
      for (const [id, entry] of this.waiting) {
        if (entry.worker !== w) continue;
        clearTimeout(entry.timer);
        this.waiting.delete(id);
        entry.resolve({ id, error: why });
      }
    };
    w.on('error', (err) => fail(`the reader could not be run: ${err.message}`));
    w.on('exit', (code, signal) =>
      fail(code === 0 || w.killed ? 'the reader was stopped' : `the reader stopped (${signal ?? `exit ${code}`}; out of memory?)`),
    );
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
        w.kill('SIGKILL');
      }, timeoutMs);
      this.waiting.set(id, { resolve, timer, worker: w });
      w.send({ id, kind, bytes: new Uint8Array(bytes) } satisfies Job, (err) => {
        if (!err || !this.waiting.delete(id)) return;
        clearTimeout(timer);
        resolve({ id, error: `the reader could not be sent the file: ${err.message}` });
      });
    });
  }
}
