import { BlobStore } from '../store/blobs.js';
import { Catalogue } from '../store/catalogue.js';
import type { Db } from '../store/db.js';
import { Recorder } from '../store/recorder.js';
import { objectStore } from '../store/objects/object-store.js';
import { WarcWriter } from '../store/warc-writer.js';
import { shareDb, type SharedDb } from '../store/shared-db.js';
import { asWriteFailure, isCatalogueError, type WriteFailure, type WriteGate } from '../store/write-failure.js';
import { WriterLock, type DataDirBusy } from '../store/writer-lock.js';
import { interruptAbandonedRuns } from '../store/run-records.js';
import { join } from 'node:path';
import { VERSION } from '../version.js';

/** How long a WARC file stays open in team storage before it is sealed and sent. */
const TEAM_WARC_SEAL_MS = 5 * 60_000;

/**
 * Everything one run writes to: the catalogue, the blob store, this run's WARC file. The first
 * write that fails for good (a full, read-only or failing disk) halts the run: `halted` holds it,
 * `signal` aborts so that the crawl stops taking work, and every later write is refused untried.
 * The runs a thread has open at once share one catalogue connection and its gate (shared-db.ts):
 * a write failing for one halts them all, as the same disk would refuse them all.
 */
export class RunContext {
  readonly db: Db;
  readonly catalogue: Catalogue;
  readonly blobs: BlobStore;
  readonly warc: WarcWriter;
  readonly recorder: Recorder;
  readonly runId: number;
  readonly startedAt = new Date().toISOString();

  private lock: WriterLock | undefined;
  private readonly shared: SharedDb;
  private readonly gate: WriteGate;
  private readonly stopping = new AbortController();
  private stopSignal: AbortSignal | undefined;

  /** `writer`: the data directory's one writer, which first ends the runs a killed writer left 'running' */
  private constructor(readonly dataDir: string, command: string, writer = false) {
    this.shared = shareDb(dataDir);
    try {
      this.db = this.shared.db;
      this.gate = this.shared.gate;
      this.catalogue = new Catalogue(this.db, this.gate);
      this.blobs = BlobStore.of(dataDir, this.gate);
      if (writer) interruptAbandonedRuns(this.db);
      this.runId = this.catalogue.beginRun(command, this.startedAt);
    } catch (e) {
      this.shared.release();
      throw e;
    }
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    this.warc = new WarcWriter(
      dataDir,
      `xjwatch-${stamp}-run${this.runId}-${process.pid}`,
      `xjwatch/${VERSION}`,
      (file, sha256, size) => {
        this.catalogue.sealWarc(this.runId, file, sha256, size);
        // sealed, then sent: a file in the team's store is whole (a failed send is retried by the next run)
        objectStore()?.putFileSync(file, join(dataDir, file));
      },
      this.gate,
      // in team storage a file reaches the bucket, where teammates read it, when it is sealed: a
      // long run seals one every few minutes, so a machine lost mid-run takes little with it
      objectStore() ? TEAM_WARC_SEAL_MS : undefined,
    );
    this.recorder = new Recorder(this.blobs, this.warc, this.catalogue, this.runId);
  }

  /** The write failure that halted the run, if one did. */
  get halted(): WriteFailure | undefined {
    return this.gate.failure;
  }

  /** Aborts when the run halts, or is asked to stop (a watcher's SIGTERM). */
  get signal(): AbortSignal {
    return (this.stopSignal ??= AbortSignal.any([this.gate.signal, this.stopping.signal]));
  }

  /**
   * Stops taking new work: the crawls end once their requests in flight are answered (and kept);
   * nothing is refused, so what was fetched is still written, and the run finishes normally.
   */
  interrupt(): void {
    this.stopping.abort();
  }

  get interrupted(): boolean {
    return this.stopping.signal.aborted;
  }

  /** Throws the write failure that halted the run, if one did. */
  throwIfHalted(): void {
    this.gate.check();
  }

  /**
   * An error that ended part of the run: a catalogue write the gate did not see (rechecks' watch
   * rows, renderings) halts the run as the gated ones do; after a halt, any error is its
   * consequence. Returns what to throw.
   */
  writeFailed(e: unknown): unknown {
    return isCatalogueError(e) ? this.gate.failed(e, 'the catalogue') : this.gate.failure ?? e;
  }

  /** Without the writer lock: for benches and tests that own their data directory. */
  static open(dataDir: string, command: string): RunContext {
    return new RunContext(dataDir, command);
  }

  /**
   * The data directory's one writer: waits while another run writes it (`onWait` is told once,
   * naming it), or with `wait: false` throws DataDirBusy at once.
   */
  static async openWriter(dataDir: string, command: string, opts: { wait: boolean; onWait: (busy: DataDirBusy) => void }): Promise<RunContext> {
    let lock: WriterLock;
    try {
      lock = opts.wait ? await WriterLock.wait(dataDir, command, opts.onWait) : WriterLock.take(dataDir, command);
    } catch (e) {
      throw asWriteFailure(e, 'writer.lock') ?? e;
    }
    try {
      const ctx = new RunContext(dataDir, command, true);
      ctx.lock = lock;
      return ctx;
    } catch (e) {
      lock.release();
      throw asWriteFailure(e, 'the catalogue') ?? e;
    }
  }

  /**
   * Closes the WARC file (sealing its whole records), finishes the run row and lets go of the
   * catalogue connection, each tried on its own. After a halt these are the only writes made, and their own
   * failures are the same full disk again: not thrown (a catalogue too full for the run row still
   * opens, and verify accepts an unsealed WARC file as it does a crashed run's).
   */
  finish(status: 'ok' | 'failed' | 'interrupted', summary: object): void {
    const halted = this.gate.failure;
    let first: unknown;
    const attempt = (target: string, fn: () => void) => {
      try {
        fn();
      } catch (e) {
        first ??= asWriteFailure(e, target) ?? e;
      }
    };
    try {
      if (halted) attempt('the catalogue', () => this.shared.lift());
      // the last fetch rows, unless the disk that halted the run would refuse them too
      if (!halted) attempt('the catalogue', () => this.recorder.flush());
      attempt('the WARC file', () => this.warc.close());
      attempt('the catalogue', () => this.shared.file.check());
      attempt('the catalogue', () => this.catalogue.finishRun(this.runId, halted || first !== undefined ? 'failed' : status, summary));
      attempt('the catalogue', () => this.shared.release());
    } finally {
      this.lock?.release();
    }
    if (first !== undefined && !halted) throw first;
  }
}
