import { BlobStore } from '../store/blobs.js';
import { Catalogue } from '../store/catalogue.js';
import { openDb, type Db } from '../store/db.js';
import { Recorder } from '../store/recorder.js';
import { WarcWriter } from '../store/warc-writer.js';
import { WriterLock, type DataDirBusy } from '../store/writer-lock.js';
import { join } from 'node:path';
import { VERSION } from '../version.js';

/** Everything one run writes to: the catalogue, the blob store, this run's WARC file. */
export class RunContext {
  readonly db: Db;
  readonly catalogue: Catalogue;
  readonly blobs: BlobStore;
  readonly warc: WarcWriter;
  readonly recorder: Recorder;
  readonly runId: number;

  private lock: WriterLock | undefined;

  private constructor(readonly dataDir: string, command: string) {
    this.db = openDb(dataDir);
    this.catalogue = new Catalogue(this.db);
    this.blobs = new BlobStore(join(dataDir, 'blobs'));
    this.runId = this.catalogue.beginRun(command);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    this.warc = new WarcWriter(dataDir, `xjwatch-${stamp}-run${this.runId}-${process.pid}`, `xjwatch/${VERSION}`, (file, sha256, size) =>
      this.catalogue.sealWarc(this.runId, file, sha256, size),
    );
    this.recorder = new Recorder(this.blobs, this.warc, this.catalogue, this.runId);
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
    const lock = opts.wait ? await WriterLock.wait(dataDir, command, opts.onWait) : WriterLock.take(dataDir, command);
    try {
      const ctx = new RunContext(dataDir, command);
      ctx.lock = lock;
      return ctx;
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  finish(status: 'ok' | 'failed' | 'interrupted', summary: object): void {
    try {
      this.warc.close();
      this.catalogue.finishRun(this.runId, status, summary);
      this.db.close();
    } finally {
      this.lock?.release();
    }
  }
}
