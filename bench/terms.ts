import { TermMatcher } from '../src/terms/matcher.js';
import type { Term } from '../src/terms/types.js';
import { median } from './harness.js';

const TEXT_CHARS = 20_000;
const ROUNDS = 5;
const CHARS = '县乡镇村人民政府关于进一步做好职业技能教育培训中心卫星工厂扶贫车间转移就业工作通知';

/** Deterministic Chinese-looking text from the characters government notices are made of. */
function text(n: number, seed: number): string {
  let s = seed;
  let out = '';
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    out += CHARS[s % CHARS.length];
  }
  return out;
}

/** `n` distinct terms that all start with 县, the worst case for a first-character index. */
function terms(n: number): Term[] {
  const out: Term[] = [];
  const seen = new Set<string>();
  for (let i = 0; out.length < n; i++) {
    const t = `县${text(3 + (i % 5), i + 7)}`;
    if (seen.has(t)) continue;
    seen.add(t);
    out.push({ term: t, variants: [], tags: [] });
  }
  return out;
}

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

/**
 * bench/terms: does matching cost grow with the term list? The baseline is the same matcher with
 * 20 terms (the default list's size), in the same run; then 100,000 terms (the term-file limit),
 * all starting with the same character. Build time and match time over 20,000 characters.
 */
export async function benchTerms(): Promise<Record<string, number>> {
  const body = text(TEXT_CHARS, 99);
  const all = terms(100_000);
  const figures: Record<string, number> = { text_chars: TEXT_CHARS };
  for (const n of [20, 100_000]) {
    let m: TermMatcher | undefined;
    const build = median(Array.from({ length: n > 1000 ? 1 : ROUNDS }, () => time(() => (m = new TermMatcher(all.slice(0, n))))));
    const match = median(Array.from({ length: ROUNDS }, () => time(() => m!.matchNormalized(body))));
    figures[`build_ms_${n}`] = Math.round(build);
    figures[`match_ms_${n}`] = Number(match.toFixed(1));
    console.log(`  ${String(n).padStart(6)} terms: build ${Math.round(build)} ms, match ${TEXT_CHARS} characters ${match.toFixed(1)} ms`);
  }
  figures.match_ratio = Number((figures.match_ms_100000! / figures.match_ms_20!).toFixed(1));
  console.log(`terms: matching with 100,000 terms costs ${figures.match_ratio}× what 20 terms cost (aim: no growth with the number of terms)`);
  return figures;
}
