import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { entryProblem, readBounded, sha256Bounded, strangeEntries } from './bundle-entries.js';
import { listFiles } from './files.js';
import type { Finding } from './store-verify.js';
import { readSlice } from './warc-record.js';

/** A span of a bundle file: a WARC record's gzip member. */
export interface Span {
  offset: number;
  length: number;
}

/**
 * Where a bundle is read from: a folder, or a zip read in place. Verification asks only these
 * questions, so both are checked by the same code; each answer is bounded by what the caller
 * says a file may hold, and nothing that is not a plain file is ever read.
 */
export interface BundleSource {
  /** entries that are neither plain files nor folders (links, devices, names that climb out), named; never read */
  strange(): Finding[];
  /** every plain file, as bundle paths */
  files(): string[];
  /** why `path` is not a plain file under plain folders; undefined when it is one, or is missing */
  problem(path: string): string | undefined;
  /** a plain file's size, undefined when missing */
  size(path: string): number | undefined;
  isFolder(path: string): boolean;
  /** a plain file's bytes if it holds at most `max` */
  read(path: string, max: number): Promise<{ bytes?: Buffer; problem?: string }>;
  /** SHA-256 of a plain file read to its end, or why not (more than `max`, unreadable) */
  sha256(path: string, max: number): Promise<{ sha256?: string; problem?: string }>;
  /** each span of a file, ascending and not overlapping, handed to `visit` in order; a problem if the file could not be read */
  spans(path: string, spans: Span[], visit: (span: Span, bytes: Buffer) => void): Promise<string | undefined>;
  close(): void;
}

/** A bundle folder, read without following links (bundle-entries.ts). */
export class FolderSource implements BundleSource {
  constructor(readonly dir: string) {}

  strange(): Finding[] {
    return strangeEntries(this.dir);
  }

  files(): string[] {
    return listFiles(this.dir);
  }

  problem(path: string): string | undefined {
    return entryProblem(this.dir, path);
  }

  size(path: string): number | undefined {
    return lstatOrUndefined(join(this.dir, path))?.size;
  }

  isFolder(path: string): boolean {
    return lstatOrUndefined(join(this.dir, path))?.isDirectory() ?? false;
  }

  async read(path: string, max: number): Promise<{ bytes?: Buffer; problem?: string }> {
    return readBounded(this.dir, path, max);
  }

  async sha256(path: string, max: number): Promise<{ sha256?: string; problem?: string }> {
    const h = sha256Bounded(join(this.dir, path), max);
    return h ? { sha256: h.sha256 } : { problem: 'grew while read' };
  }

  async spans(path: string, spans: Span[], visit: (span: Span, bytes: Buffer) => void): Promise<string | undefined> {
    for (const s of spans) visit(s, readSlice(join(this.dir, path), s.offset, s.length));
    return undefined;
  }

  close(): void {}
}

function lstatOrUndefined(p: string) {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}
