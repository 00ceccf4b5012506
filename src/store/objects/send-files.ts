import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ObjectStore } from './object-store.js';

/**
 * Every blob and WARC file of a data directory sent to the object store under the same relative
 * path, unless it is there already. What is sent is checked afterwards against the catalogue
 * (verifyStore with the store), not trusted here.
 */
export function sendDataDirFiles(dataDir: string, store: ObjectStore): { written: number; present: number } {
  const n = { written: 0, present: 0 };
  for (const top of ['blobs/sha256', 'warc']) {
    const root = join(dataDir, top);
    const entries = existsSync(root) ? readdirSync(root, { recursive: true, withFileTypes: true }) : [];
    for (const e of entries) {
      if (!e.isFile() || e.name.includes('.tmp-')) continue;
      const f = join(e.parentPath, e.name).slice(root.length + 1);
      n[store.putFileSync(`${top}/${f}`, join(root, f))]++;
    }
  }
  return n;
}
