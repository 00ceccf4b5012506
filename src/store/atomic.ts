import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { copyFile, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

const tmpName = (path: string) => `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;

/**
 * Writes a file so that readers see either nothing or the whole of it: a temporary file in the
 * same folder, flushed to disk, then renamed over the final name.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, opts: { fsync?: boolean } = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tmpName(path);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    if (opts.fsync !== false) fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** The same, on libuv's thread pool, so that slow file-system metadata does not stall the crawl. */
export async function writeFileAtomicAsync(path: string, data: Uint8Array, opts: { fsync?: boolean } = {}): Promise<void> {
  const tmp = tmpName(path);
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(data);
    if (opts.fsync !== false) await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
}

/** A copy of a file on disk, with the same guarantee: aside, flushed, then renamed into place. */
export async function copyFileAtomic(from: string, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tmpName(path);
  try {
    await copyFile(from, tmp);
    const fh = await open(tmp, 'r+');
    await fh.sync().finally(() => fh.close());
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
