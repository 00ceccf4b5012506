import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSiteFile } from '../../src/config/site-file.js';
import { loadTermFile } from '../../src/config/term-file.js';
import { TermMatcher } from '../../src/terms/matcher.js';
import { ROOT } from '../helpers/cli.js';

/**
 * Data flows one way (DESIGN.md): fetch -> extract -> terms -> store -> detect -> alerts/evidence.
 * A stage may use what earlier stages produce, never what later ones do; schedule/ drives the
 * stages and cli/ only wires. This is the list of what each folder may import.
 */
const ALLOWED: Record<string, string[]> = {
  fetch: [],
  extract: ['fetch'],
  terms: [],
  config: ['terms'],
  store: ['fetch', 'extract', 'terms'],
  detect: ['fetch', 'extract', 'terms', 'store'],
  evidence: ['fetch', 'extract', 'terms', 'store', 'detect', 'config'],
  alerts: ['fetch', 'extract', 'terms', 'store', 'detect', 'config', 'evidence'],
  schedule: ['fetch', 'extract', 'terms', 'store', 'detect', 'config', 'alerts', 'evidence'],
  cli: ['fetch', 'extract', 'terms', 'store', 'detect', 'config', 'alerts', 'evidence', 'schedule'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('architecture', () => {
  it('each folder of src/ imports only the folders it may', () => {
    const src = join(ROOT, 'src');
    const violations: string[] = [];
    for (const file of files(src)) {
      const folder = relative(src, file).split('/')[0]!;
      if (!(folder in ALLOWED)) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import) '(\.\.?\/[^']+)'|import\('(\.\.?\/[^']+)'\)/g)) {
        const target = relative(src, join(file, '..', m[1] ?? m[2]!)).split('/')[0]!;
        if (target === folder || !(target in ALLOWED)) continue;
        if (!ALLOWED[folder]!.includes(target)) violations.push(`${relative(ROOT, file)} imports ${target}/`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('the bundled site files and term list are valid', () => {
    const dir = join(ROOT, 'crawlers');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml') && n !== 'terms.yaml')) {
      expect(() => loadSiteFile(join(dir, f))).not.toThrow();
    }
    const terms = loadTermFile(join(dir, 'terms.yaml'));
    expect(terms.length).toBeGreaterThanOrEqual(15);
    expect(() => new TermMatcher(terms)).not.toThrow();
  });
});
