import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { copyFileAtomic, writeFileAtomicAsync } from './atomic.js';
import { fileSha256 } from './warc-writer.js';
import { objectStore, type ObjectStore } from './objects/object-store.js';
import type { WriteGate } from './write-failure.js';

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Raw bodies stored once each under their SHA-256: blobs/sha256/ab/cd/abcd…; never overwritten.
 * In team storage the same path in the object store is the blob, and the folder its local copy.
 */
export class BlobStore {
  /** blobs written or being written in this process */
  private readonly pending = new Map<string, Promise<void>>();
  private readonly dirs = new Map<string, Promise<unknown>>();

  /** `gate`: a run's, which a full disk closes (then no blob is written any more) */
  constructor(
    readonly root: string,
    private readonly gate?: WriteGate,
    private readonly remote?: ObjectStore,
  ) {}

  /** The data directory's blobs, and the team's object store when XJWATCH_BLOBS names one. */
  static of(dataDir: string, gate?: WriteGate): BlobStore {
    return new BlobStore(join(dataDir, 'blobs'), gate, objectStore());
  }

  pathOf(sha: string): string {
    return join(this.root, 'sha256', sha.slice(0, 2), sha.slice(2, 4), sha);
  }

  /** blobs/sha256/ab/cd/abcd…: the same under a data directory and in the object store */
  static relOf(sha: string): string {
    return `blobs/sha256/${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`;
  }

  has(sha: string): boolean {
    return this.pending.has(sha) || existsSync(this.pathOf(sha)) || this.remote?.headSync(BlobStore.relOf(sha)) !== undefined;
  }

  /**
   * Stores the bytes (if new) and returns their SHA-256 in hex once they are written. Atomic (a
   * blob is whole or absent) but not fsynced one by one: that protects against a killed process,
   * not a power cut. The same bytes are in the WARC file (synced every 64 records and at the end
   * of a run), and re-hashing the store names a blob that a power cut left short.
   */
  async put(data: Uint8Array): Promise<string> {
    const sha = sha256Hex(data);
    let p = this.pending.get(sha);
    if (!p) {
      this.gate?.check();
      const path = this.pathOf(sha);
      p = existsSync(path) ? Promise.resolve() : this.ensureDir(dirname(path)).then(() => writeFileAtomicAsync(path, data, { fsync: false }));
      // kept only once the team's store has it too: a catalogue row must not name a blob only this machine holds
      const remote = this.remote;
      if (remote) p = p.then(() => remote.putBytes(BlobStore.relOf(sha), data));
      const gate = this.gate;
      if (gate) p = p.catch((e: unknown) => Promise.reject(gate.failed(e, 'a blob')));
      this.pending.set(sha, p);
    }
    await p;
    return sha;
  }

  /**
   * A file on disk (a bundle's .zip) stored as a blob, copied rather than read whole; returns its
   * SHA-256 and size once it is kept here and, in team storage, in the object store.
   */
  async putFile(file: string): Promise<{ sha256: string; size: number }> {
    const kept = fileSha256(file);
    this.gate?.check();
    const path = this.pathOf(kept.sha256);
    if (!existsSync(path)) await copyFileAtomic(file, path);
    this.remote?.putFileSync(BlobStore.relOf(kept.sha256), path);
    return kept;
  }

  /** The bytes; in team storage fetched (and hash-checked) into the folder when another machine wrote them. */
  get(sha: string): Buffer {
    return readFileSync(this.localPath(sha));
  }

  /** The blob's file on this machine: in team storage fetched (and hash-checked) first when another machine wrote it. */
  localPath(sha: string): string {
    const path = this.pathOf(sha);
    if (this.remote && !existsSync(path)) this.remote.fetchSync(BlobStore.relOf(sha), path, sha);
    return path;
  }

  private ensureDir(dir: string): Promise<unknown> {
    let p = this.dirs.get(dir);
    if (!p) {
      p = makeDir(dir);
      this.dirs.set(dir, p);
    }
    return p;
  }
}

/**
 * mkdir -p that says why it failed: a recursive mkdir whose parent another call is making, or
 * could not make (no inodes left), reports ENOENT, which names no full disk; made one level at a
 * time, the level that fails gives the real reason (ENOSPC).
 */
async function makeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const parent = dirname(dir);
    if (parent !== dir) await makeDir(parent);
    try {
      await mkdir(dir);
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code !== 'EEXIST') throw e2;
    }
  }
}
