import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomicAsync } from './atomic.js';
import type { WriteGate } from './write-failure.js';

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Raw bodies stored once each under their SHA-256: blobs/sha256/ab/cd/abcd…; never overwritten. */
export class BlobStore {
  /** blobs written or being written in this process */
  private readonly pending = new Map<string, Promise<void>>();
  private readonly dirs = new Map<string, Promise<unknown>>();

  /** `gate`: a run's, which a full disk closes (then no blob is written any more) */
  constructor(
    readonly root: string,
    private readonly gate?: WriteGate,
  ) {}

  pathOf(sha: string): string {
    return join(this.root, 'sha256', sha.slice(0, 2), sha.slice(2, 4), sha);
  }

  has(sha: string): boolean {
    return this.pending.has(sha) || existsSync(this.pathOf(sha));
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
      const gate = this.gate;
      if (gate) p = p.catch((e: unknown) => Promise.reject(gate.failed(e, 'a blob')));
      this.pending.set(sha, p);
    }
    await p;
    return sha;
  }

  get(sha: string): Buffer {
    return readFileSync(this.pathOf(sha));
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
