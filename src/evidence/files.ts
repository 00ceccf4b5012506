import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** Writes files under a bundle folder and remembers what each is, for the manifest. */
export class BundleFiles {
  readonly entries = new Map<string, { what: string }>();

  constructor(readonly root: string) {}

  write(path: string, data: Uint8Array | string, what: string): string {
    // two things under one name would leave only the second: never
    if (this.entries.has(path)) throw new Error(`bundle file written twice: ${path}`);
    const full = join(this.root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, data);
    this.entries.set(path, { what });
    return path;
  }
}

export const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Every file under `root`, as bundle paths with forward slashes, sorted. */
export function listFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(root, p));
    else if (e.isFile()) out.push(relative(root, p).split(sep).join('/'));
  }
  return out.sort();
}

export const fileSize = (path: string) => statSync(path).size;

/** A file-name extension for a body, from its content type. */
export function extensionFor(contentType: string | null | undefined, url: string): string {
  const ct = (contentType ?? '').toLowerCase();
  if (ct.includes('html')) return 'html';
  if (ct.includes('pdf')) return 'pdf';
  if (ct.includes('spreadsheetml')) return 'xlsx';
  if (ct.includes('wordprocessingml')) return 'docx';
  if (ct.includes('ms-excel')) return 'xls';
  if (ct.includes('msword')) return 'doc';
  if (ct.includes('json')) return 'json';
  if (ct.startsWith('text/')) return 'txt';
  const m = /\.([a-z0-9]{2,5})(?:$|\?)/i.exec(new URL(url).pathname);
  return m ? m[1]!.toLowerCase() : 'bin';
}
