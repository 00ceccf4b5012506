import { normalizeText } from './normalize.js';
import { snippetAround } from './snippet.js';
import type { Term, TermHit } from './types.js';

interface Form {
  text: string;
  term: string;
}

/**
 * Counts every tracked term and its variants in one pass over normalised text.
 *
 * Rule for overlaps: at each position the longest form that starts there wins, and the scan
 * resumes after it (leftmost-longest, non-overlapping). So 职业技能教育培训中心 counts once for
 * its own term and never again as the 教育培训中心 inside it; a variant counts for its
 * canonical term.
 */
export class TermMatcher {
  private readonly byFirstChar = new Map<string, Form[]>();
  readonly terms: readonly Term[];

  constructor(terms: readonly Term[]) {
    this.terms = terms;
    const seen = new Map<string, string>();
    for (const t of terms) {
      for (const raw of [t.term, ...t.variants]) {
        const text = normalizeText(raw);
        if (!text) continue;
        const owner = seen.get(text);
        if (owner !== undefined) {
          if (owner !== t.term) throw new Error(`term form "${raw}" belongs to both "${owner}" and "${t.term}"`);
          continue;
        }
        seen.set(text, t.term);
        const first = String.fromCodePoint(text.codePointAt(0)!);
        const list = this.byFirstChar.get(first) ?? [];
        list.push({ text, term: t.term });
        list.sort((a, b) => b.text.length - a.text.length);
        this.byFirstChar.set(first, list);
      }
    }
  }

  /** Matches already-normalised text; returns hits in term-file order, terms that occur only. */
  matchNormalized(text: string, source?: string): TermHit[] {
    const found = new Map<string, { count: number; first: number; len: number; forms: Record<string, number> }>();
    let i = 0;
    while (i < text.length) {
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      const candidates = this.byFirstChar.get(ch);
      let matched: Form | undefined;
      if (candidates) {
        for (const f of candidates) {
          if (text.startsWith(f.text, i)) {
            matched = f;
            break;
          }
        }
      }
      if (matched) {
        const entry = found.get(matched.term) ?? { count: 0, first: i, len: matched.text.length, forms: {} };
        entry.count++;
        entry.forms[matched.text] = (entry.forms[matched.text] ?? 0) + 1;
        found.set(matched.term, entry);
        i += matched.text.length;
      } else {
        i += ch.length;
      }
    }
    const hits: TermHit[] = [];
    for (const t of this.terms) {
      const e = found.get(t.term);
      if (!e) continue;
      const hit: TermHit = { term: t.term, count: e.count, snippet: snippetAround(text, e.first, e.len), forms: e.forms };
      if (source) hit.source = source;
      hits.push(hit);
    }
    return hits;
  }

  match(text: string, source?: string): TermHit[] {
    return this.matchNormalized(normalizeText(text), source);
  }
}

/** Adds up hits from several texts (a page and its attachments), keeping the first snippet and naming every source. */
export function mergeHits(groups: TermHit[][], order: readonly Term[]): TermHit[] {
  const byTerm = new Map<string, TermHit>();
  for (const hits of groups) {
    for (const h of hits) {
      const prev = byTerm.get(h.term);
      const source = h.source ?? 'page';
      if (!prev) {
        byTerm.set(h.term, { ...h, source, forms: { ...h.forms } });
        continue;
      }
      prev.count += h.count;
      for (const [f, n] of Object.entries(h.forms)) prev.forms[f] = (prev.forms[f] ?? 0) + n;
      if (!prev.source!.split(', ').includes(source)) prev.source = `${prev.source}, ${source}`;
    }
  }
  return order.flatMap((t) => (byTerm.has(t.term) ? [byTerm.get(t.term)!] : []));
}
