import { normalizeText } from './normalize.js';
import { normalizeMapped, originalSpan } from './original-map.js';
import { snippetAround, snippetBounds } from './snippet.js';
import type { Term, TermHit } from './types.js';

/** Places named per hit: enough to find them all in a list of a few dozen, never a whole sheet's worth. */
export const MAX_PLACES = 20;
/** A spreadsheet hit's row stands as its snippet, cut at this many characters. */
const ROW_CHARS = 240;

/** Where in its document the character at an offset of the original text is (see extract/document-text/places.ts). */
export type Locate = (originalOffset: number) => { place: string; row?: string } | undefined;

interface Form {
  text: string;
  term: string;
}

/** A trie over code points: each node the forms continue from it, and the form ending here. */
interface Node {
  next: Map<string, Node>;
  form?: Form;
}

/**
 * Counts every tracked term and its variants in one pass over normalised text.
 *
 * Rule for overlaps: at each position the longest form that starts there wins, and the scan
 * resumes after it (leftmost-longest, non-overlapping). So 职业技能教育培训中心 counts once for
 * its own term and never again as the 教育培训中心 inside it; a variant counts for its
 * canonical term.
 *
 * The forms sit in a trie, so the work at a position is bounded by the longest form, not by how
 * many forms start with that character (a 100,000-term list costs what a 20-term one does per
 * character of text). Aho–Corasick would also drop that bound, but reports every overlapping
 * match; leftmost-longest is this walk, and needs no library.
 */
export class TermMatcher {
  private readonly root: Node = { next: new Map() };
  readonly terms: readonly Term[];
  /** every term and variant as normalised text, as the matcher and search compare it */
  readonly forms: readonly string[];

  constructor(terms: readonly Term[]) {
    this.terms = terms;
    const seen = new Map<string, string>();
    const forms: string[] = [];
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
        forms.push(text);
        let node = this.root;
        for (const ch of text) {
          let child = node.next.get(ch);
          if (!child) node.next.set(ch, (child = { next: new Map() }));
          node = child;
        }
        node.form = { text, term: t.term };
      }
    }
    this.forms = forms;
  }

  /** The longest form that starts at `i`, if any. */
  private longestAt(text: string, i: number): Form | undefined {
    let node = this.root;
    let found: Form | undefined;
    let j = i;
    while (j < text.length) {
      const ch = String.fromCodePoint(text.codePointAt(j)!);
      const child = node.next.get(ch);
      if (!child) break;
      node = child;
      j += ch.length;
      if (node.form) found = node.form;
    }
    return found;
  }

  /** Matches already-normalised text; returns hits in term-file order, terms that occur only. */
  matchNormalized(text: string, source?: string): TermHit[] {
    return this.scan(text, source).map(({ hit }) => hit);
  }

  /**
   * Matches a text as written: found on its normalised form, each snippet quoted from the
   * original characters (，not , ; 職業 not 职业) — what a researcher pastes into a report.
   */
  matchText(original: string, source?: string, normalized = normalizeText(original), locate?: Locate): TermHit[] {
    const found = this.scan(normalized, source);
    if (found.length === 0) return [];
    const mapped = normalizeMapped(original);
    if (!mapped) return found.map(({ hit }) => hit); // cannot be mapped back: the normalised snippet, no places
    return found.map(({ hit, first, len, at }) => {
      const b = snippetBounds(mapped.norm, first, len);
      const out: TermHit = { ...hit, snippet: `${b.head}${originalSpan(original, mapped.origin, b.from, b.to)}${b.tail}` };
      if (!locate) return out;
      const places: string[] = [];
      let row: string | undefined;
      for (const i of at) {
        const p = locate(mapped.origin[i]!);
        if (!p) continue;
        if (!places.length) row = p.row;
        if (!places.includes(p.place)) places.push(p.place);
        if (places.length >= MAX_PLACES) break;
      }
      if (places.length) out.places = places;
      if (row) out.snippet = row.length > ROW_CHARS ? `${row.slice(0, ROW_CHARS)}…` : row;
      return out;
    });
  }

  private scan(text: string, source?: string): { hit: TermHit; first: number; len: number; at: number[] }[] {
    // `at`: where each match starts, for the places (a few more than are named: some share one)
    const found = new Map<string, { count: number; first: number; len: number; forms: Record<string, number>; at: number[] }>();
    let i = 0;
    while (i < text.length) {
      const matched = this.longestAt(text, i);
      if (matched) {
        const entry = found.get(matched.term) ?? { count: 0, first: i, len: matched.text.length, forms: {}, at: [] };
        entry.count++;
        if (entry.at.length < MAX_PLACES * 5) entry.at.push(i);
        entry.forms[matched.text] = (entry.forms[matched.text] ?? 0) + 1;
        found.set(matched.term, entry);
        i += matched.text.length;
      } else {
        i += text.codePointAt(i)! > 0xffff ? 2 : 1;
      }
    }
    const hits: { hit: TermHit; first: number; len: number; at: number[] }[] = [];
    for (const t of this.terms) {
      const e = found.get(t.term);
      if (!e) continue;
      const hit: TermHit = { term: t.term, count: e.count, snippet: snippetAround(text, e.first, e.len), forms: e.forms };
      if (source) hit.source = source;
      hits.push({ hit, first: e.first, len: e.len, at: e.at });
    }
    return hits;
  }

  match(text: string, source?: string): TermHit[] {
    return this.matchText(text, source);
  }
}

/**
 * Adds up hits from several texts (a page and its attachments), keeping the first snippet and
 * naming every source. An attachment's places are named with its file: "名单.xls#Sheet1!B214".
 */
export function mergeHits(groups: TermHit[][], order: readonly Term[]): TermHit[] {
  const byTerm = new Map<string, TermHit>();
  for (const hits of groups) {
    for (const h of hits) {
      const prev = byTerm.get(h.term);
      const source = h.source ?? 'page';
      const file = source.startsWith('attachment: ') ? source.slice('attachment: '.length) : undefined;
      const places = file && h.places ? h.places.map((p) => `${file}#${p}`) : [];
      if (!prev) {
        const { places: _own, ...rest } = h;
        byTerm.set(h.term, { ...rest, source, forms: { ...h.forms }, ...(places.length ? { places } : {}) });
        continue;
      }
      prev.count += h.count;
      for (const [f, n] of Object.entries(h.forms)) prev.forms[f] = (prev.forms[f] ?? 0) + n;
      if (!prev.source!.split(', ').includes(source)) prev.source = `${prev.source}, ${source}`;
      if (places.length) prev.places = [...(prev.places ?? []), ...places].slice(0, MAX_PLACES);
    }
  }
  return order.flatMap((t) => (byTerm.has(t.term) ? [byTerm.get(t.term)!] : []));
}
