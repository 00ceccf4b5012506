import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { readSlice } from './warc-record.js';

/**
 * A bundle comes from anyone: it holds only regular files and folders. These read it without ever
 * following a link (a listed file replaced by a link to /etc/passwd, or evidence.warc.gz linked to
 * /dev/zero), and without reading more than the manifest says a file holds.
 */

/** What a path inside the bundle is, every folder on the way looked at without following links. */
export function entryProblem(dir: string, rel: string): string | undefined {
  let p = dir;
  const parts = rel.split('/');
  for (let i = 0; i < parts.length; i++) {
    p = join(p, parts[i]!);
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch {
      return undefined; // missing: the caller says so in its own words
    }
    const last = i === parts.length - 1;
    if (st.isSymbolicLink()) return `${last ? '' : `its folder ${parts.slice(0, i + 1).join('/')} is `}a symbolic link (to ${safeTarget(p)}); a bundle holds only files and folders, and links are not followed`;
    if (!last && !st.isDirectory()) return `${parts.slice(0, i + 1).join('/')} is not a folder`;
    if (last && !st.isFile()) return `${kindOf(st)}; a bundle holds only files and folders`;
  }
  return undefined;
}

/** Every entry of the folder that is neither a regular file nor a folder, named, links not followed. */
export function strangeEntries(root: string, dir = root, prefix = ''): { path: string; problem: string }[] {
  const out: { path: string; problem: string }[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...strangeEntries(root, p, rel));
    else if (e.isSymbolicLink()) out.push({ path: rel, problem: `a symbolic link (to ${safeTarget(p)}); a bundle holds only files and folders, and links are not followed` });
    else if (!e.isFile()) out.push({ path: rel, problem: `${kindOf(lstatSync(p))}; a bundle holds only files and folders` });
  }
  return out;
}

/** SHA-256 of a regular file read in slices, at most `max` bytes: undefined if it holds more. */
export function sha256Bounded(path: string, max: number): { sha256: string; size: number } | undefined {
  const fd = openSync(path, 'r');
  try {
    const hash = createHash('sha256');
    const buf = Buffer.alloc(1024 * 1024);
    let size = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return { sha256: hash.digest('hex'), size };
      size += n;
      if (size > max) return undefined;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}

/** A regular file's bytes, or why not: a link, a device, larger than `max`. */
export function readBounded(dir: string, rel: string, max: number): { bytes?: Buffer; problem?: string } {
  const strange = entryProblem(dir, rel);
  if (strange) return { problem: strange };
  const p = join(dir, rel);
  let size: number;
  try {
    size = lstatSync(p).size;
  } catch {
    return { problem: 'missing' };
  }
  if (size > max) return { problem: `${size} bytes, more than a bundle's ${rel} can hold (${max}); not read` };
  return { bytes: readSlice(p, 0, size) };
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function safeTarget(p: string): string {
  try {
    // eslint-disable-next-line no-control-regex
    return readlinkSync(p).replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 120);
  } catch {
    return '?';
  }
}
