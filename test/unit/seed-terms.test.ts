import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTermFile } from '../../src/config/term-file.js';
import { TermMatcher } from '../../src/terms/matcher.js';
import { normalizeText } from '../../src/terms/normalize.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** The seed report (../shared/seeds/003_72c36eafbc07f1b1.txt), kept with the tests. */
const SEED = join(ROOT, 'test', 'fixtures', 'reports', '003_72c36eafbc07f1b1.txt');

/** Every parenthesised phrase with Chinese in it, its Han characters and punctuation only. */
function quotedPhrases(report: string): string[] {
  const flat = report.normalize('NFKC').replace(/\s+/g, ' ');
  return [...new Set([...flat.matchAll(/\(([^()]*\p{Script=Han}[^()]*)\)/gu)].map((m) => m[1]!.replace(/[^\p{Script=Han}，,;；“”"+、]/gu, '')))].filter(Boolean);
}


/** Quoted phrases of the report that are names, not terms: companies, places, an office, noise. */
const NOT_TERMS = new Map<string, string>([
  ['中心', 'a fragment ("centre") of a wrapped line'],
  ['全盖', 'a fragment of a garbled line'],
  ['产业区', 'a generic word (industrial area)'],
  ['重生', 'a common word (rebirth), quoted for its use in one article'],
  ['自治区政协副主席', "an official's title"],
  ['金富婕服装有限公司', 'a company'],
  ['江苏国泰', 'a company'],
  ['上海天坤', 'a company'],
  ['美丽奥服装有限公司', 'a company'],
  ['雄鹰纺织公司', 'a company'],
  ['喀什深圳产业园', 'an industrial park'],
  ['浙江诸暨客商', 'investors from a place'],
  ['天山恒瑞纺织有限公司', 'a company'],
  ['金福源纺织厂', 'a company'],
]);

describe('the default term list', () => {
  it('holds a term in every Chinese phrase the seed report quotes, names aside', () => {
    const quoted = quotedPhrases(readFileSync(SEED, 'utf8'));
    expect(quoted.length).toBeGreaterThan(60);
    const matcher = new TermMatcher(loadTermFile(join(ROOT, 'crawlers', 'terms.yaml')));
    const missing = quoted.filter((q) => !NOT_TERMS.has(q) && matcher.matchText(q).length === 0);
    expect(missing).toEqual([]);
    for (const name of NOT_TERMS.keys()) expect(quoted.map(normalizeText)).toContain(normalizeText(name));
  });
});
