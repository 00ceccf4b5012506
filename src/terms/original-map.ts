import { normalizeText } from './normalize.js';

/**
 * normalizeText again, keeping where each character of the result came from in the original, so
 * that a match found in normalised text can be quoted as the page wrote it (researchers paste
 * quotes into reports: NFKC's , for ，or a simplified character for a traditional one would be a
 * misquotation). The steps are normalizeText's, one by one, with their offsets carried along; the
 * result is checked against normalizeText itself, and undefined when they differ (a conversion
 * that changed a phrase's length), in which case callers quote the normalised text.
 */
export function normalizeMapped(text: string): { norm: string; origin: Int32Array } | undefined {
  // NFKC per code point (a cache: pages use a few thousand distinct characters)
  const nfkc = new Map<string, string>();
  let out = '';
  const origin: number[] = [];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    let n = nfkc.get(ch);
    if (n === undefined) nfkc.set(ch, (n = ch.normalize('NFKC')));
    out += n;
    for (let k = 0; k < n.length; k++) origin.push(i);
    i += ch.length;
  }
  // combining sequences compose across code points: then per-character NFKC is not NFKC
  if (out !== text.normalize('NFKC')) return undefined;
  let s = { text: out, origin };
  s = replaceTracked(s, /[\u200B-\u200D\u2060\uFEFF\u00AD]/g, () => '');
  const whole = normalizeText(text);
  // the remaining steps (radicals, traditional → simplified) keep lengths, else the check below fails
  const rest = stepsAfterNfkc(s.text);
  if (rest.length !== s.text.length) return undefined;
  s = { text: rest, origin: s.origin };
  s = replaceTracked(s, /(?<=\p{Script=Han})[ \t\u3000]*\r?\n[ \t\u3000\r\n]*(?=\p{Script=Han})/gu, () => '');
  s = replaceTracked(s, /(?<=[\p{Script=Han}\u3000-\u303F\uFF00-\uFFEF])[ \t\f\v\u00A0\u3000]+(?=[\p{Script=Han}\u3000-\u303F\uFF00-\uFFEF])/gu, () => '');
  s = replaceTracked(s, /[ \t\f\v\u00A0\u2000-\u200B\u3000]+/g, () => ' ');
  s = replaceTracked(s, / *\n[\s]*/g, () => '\n');
  const lead = s.text.length - s.text.trimStart().length;
  const kept = s.text.trim();
  const norm = { text: kept, origin: s.origin.slice(lead, lead + kept.length) };
  if (norm.text !== whole) return undefined;
  return { norm: norm.text, origin: Int32Array.from(norm.origin) };
}

/** normalizeText's steps after NFKC and the zero-width characters, for text already NFKC. */
function stepsAfterNfkc(s: string): string {
  // normalizeText on NFKC text with no zero-width characters and no whitespace does just these;
  // whitespace is left alone by them, so running it per whitespace-free stretch is the same
  return s.replace(/[^\s]+/g, (run) => normalizeText(run));
}

/** A global regex replacement that keeps, for each character of the result, its origin. */
function replaceTracked(s: { text: string; origin: number[] }, re: RegExp, by: (m: string) => string): { text: string; origin: number[] } {
  let text = '';
  const origin: number[] = [];
  let at = 0;
  for (const m of s.text.matchAll(re)) {
    const i = m.index!;
    text += s.text.slice(at, i);
    for (let k = at; k < i; k++) origin.push(s.origin[k]!);
    const r = by(m[0]);
    text += r;
    for (let k = 0; k < r.length; k++) origin.push(s.origin[i]!);
    at = i + m[0].length;
  }
  text += s.text.slice(at);
  for (let k = at; k < s.text.length; k++) origin.push(s.origin[k]!);
  return { text, origin };
}

/** The original text behind normalised [from, to): whitespace runs shown as one space. */
export function originalSpan(text: string, origin: Int32Array, from: number, to: number): string {
  if (to <= from) return '';
  const start = origin[from]!;
  const last = origin[to - 1]!;
  const end = last + (text.codePointAt(last)! > 0xffff ? 2 : 1);
  return text.slice(start, end).replace(/\s+/g, ' ');
}
