import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSiteFile } from '../../src/config/site-file.js';
import { loadTermFile } from '../../src/config/term-file.js';
import { loadWatchList } from '../../src/config/watch-list.js';
import { TermMatcher } from '../../src/terms/matcher.js';
import { ROOT } from '../helpers/cli.js';

/**
 * Data flows one way (docs/ARCHITECTURE.md): fetch -> extract -> terms -> store -> detect ->
 * alerts/evidence. A stage may use what earlier stages produce, never what later ones do;
 * schedule/ drives the stages and cli/ only wires. This is the list of what each folder imports
 * today — the code's edges, not every edge the order would permit, so that a new one is a
 * decision. text/ (escaping, quoting) and demo/ (the imitation sites) stand apart from the flow.
 */
const ALLOWED: Record<string, string[]> = {
  text: [],
  demo: [],
  fetch: [],
  extract: [],
  terms: [],
  // site-of-url.ts and official-hosts.ts judge hosts as the fetcher's redirect policy does
  // (registrable domain, host patterns): one notion of "the same site"
  config: ['terms', 'fetch'],
  store: ['fetch'],
  detect: ['fetch', 'terms', 'store'],
  evidence: ['terms', 'store', 'detect', 'config', 'text'],
  alerts: ['terms', 'store', 'config', 'evidence', 'text'],
  schedule: ['fetch', 'extract', 'terms', 'store', 'detect', 'config'],
  // `import` reads a report's text and citations (extract/report-text.ts, citations.ts)
  cli: ['fetch', 'extract', 'terms', 'store', 'detect', 'config', 'alerts', 'evidence', 'schedule', 'text', 'demo', 'web'],
  // the view reads and presents; it never fetches (no fetch/), and asks evidence/ for bundles
  web: ['extract', 'terms', 'store', 'detect', 'config', 'alerts', 'evidence', 'schedule', 'text'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const IMPORT = /(?:from|import) '(\.\.?\/[^']+)'|import\('(\.\.?\/[^']+)'\)/g;

describe('architecture', () => {
  it('each folder of src/ imports only the folders it may', () => {
    const src = join(ROOT, 'src');
    const violations: string[] = [];
    for (const file of files(src)) {
      const folder = relative(src, file).split('/')[0]!;
      if (!(folder in ALLOWED)) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const target = relative(src, join(file, '..', m[1] ?? m[2]!)).split('/')[0]!;
        if (target === folder || target.endsWith('.js')) continue; // its own folder, or src/version.ts
        if (!ALLOWED[folder]!.includes(target)) violations.push(`${relative(ROOT, file)} imports ${target}/`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('nothing under src/ imports from outside src/ (test code is never compiled into the tool)', () => {
    const src = join(ROOT, 'src');
    const leaving: string[] = [];
    for (const file of files(src)) {
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        if (relative(src, join(file, '..', m[1] ?? m[2]!)).startsWith('..')) leaving.push(`${relative(ROOT, file)} imports ${m[1] ?? m[2]}`);
      }
    }
    expect(leaving).toEqual([]);
  });

  it('site code (crawlers/*.ts) imports nothing but the types of config/site-code.ts: its requests are the engine\'s to make', () => {
    const dir = join(ROOT, 'crawlers');
    const imports: string[] = [];
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/^\s*import\b[^;]*?(?:from\s*)?['"]([^'"]+)['"]/gm)) {
        if (!/^import type \{[^}]*\} from ['"]\.\.\/src\/config\/site-code\.js['"]$/.test(m[0].trim())) imports.push(`${f}: ${m[0].trim()}`);
      }
      if (/\bimport\s*\(|\brequire\s*\(|\bfetch\s*\(/.test(readFileSync(join(dir, f), 'utf8'))) imports.push(`${f}: a dynamic import, require or fetch`);
    }
    expect(imports).toEqual([]);
  });

  it('every folder of src/ is under the rule', () => {
    const src = join(ROOT, 'src');
    const folders = readdirSync(src).filter((n) => statSync(join(src, n)).isDirectory() && n !== 'types');
    expect(folders.filter((f) => !(f in ALLOWED))).toEqual([]);
  });

  it('the bundled watch lists are valid', () => {
    const dir = join(ROOT, 'crawlers', 'lists');
    const lists = readdirSync(dir).filter((n) => n.endsWith('.yaml'));
    expect(lists.length).toBeGreaterThanOrEqual(1);
    for (const f of lists) expect(() => loadWatchList(join(dir, f))).not.toThrow();
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
