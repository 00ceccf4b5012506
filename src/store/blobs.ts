import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Raw bodies stored once each under their SHA-256: blobs/sha256/ab/cd/abcd…; never overwritten. */
export class BlobStore {
  private readonly known = new Set<string>();

  constructor(readonly root: string) {}

  pathOf(sha: string): string {
    return join(this.root, 'sha256', sha.slice(0, 2), sha.slice(2, 4), sha);
  }

  has(sha: string): boolean {
    return this.known.has(sha) || existsSync(this.pathOf(sha));
  }

  /** Stores the bytes (if new) and returns their SHA-256 in hex. */
  put(data: Uint8Array): string {
    const sha = sha256Hex(data);
    if (!this.has(sha)) writeFileAtomic(this.pathOf(sha), data);
    this.known.add(sha);
    return sha;
  }

  get(sha: string): Buffer {
    return readFileSync(this.pathOf(sha));
  }
}
