import { join, resolve } from 'node:path';
import { loadTermFile } from '../config/term-file.js';
import type { Term } from '../terms/types.js';
import { PACKAGE_ROOT } from '../version.js';

// Apart from common.ts: reading a term file needs yaml, zod and OpenCC, which `--help` and the
// read-only commands should not load.
export const DEFAULT_TERMS = join(PACKAGE_ROOT, 'crawlers', 'terms.yaml');

export function loadTerms(file: string | undefined): { terms: Term[]; file: string } {
  const f = file ? resolve(file) : DEFAULT_TERMS;
  return { terms: loadTermFile(f), file: f };
}
