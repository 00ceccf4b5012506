/**
 * Where the running text cites each footnote: its marker (`…in southern Xinjiang.1 Another`,
 * `(VTICs).16`, `poverty. 8`, `教培中心。12`, `[3]`), found in order — footnote n's marker after
 * footnote n-1's — and the sentence it ends.
 */
export function citingSentences(body: string, numbers: readonly number[]): Map<number, string> {
  const out = new Map<number, string>();
  let from = 0;
  for (const n of [...numbers].sort((a, b) => a - b)) {
    const at = findMarker(body, n, from);
    if (!at) continue;
    // the previous marker ends the previous sentence, whatever the punctuation says
    const sentence = sentenceAt(body, at.start, at.end, from);
    from = at.end;
    if (sentence) out.set(n, sentence);
  }
  return out;
}

/** Ends a sentence, or a clause a footnote may follow. */
const BEFORE_MARKER = `[.,;:!?)\\]"'”’」』》）。，；：！？、\\p{L}]`;
/** After these a marker may stand one space or tab apart (`poverty. 8`, `（教培中心）.\t17`). */
const BEFORE_SPACED_MARKER = `[.)\\]"'”’）。]`;

/**
 * The first marker of footnote n from `from` on. A number right after a figure and a point
 * (`in 2020.64 The`) is a marker only when a sentence starts after it, so that `2.61 million` is
 * not footnote 61.
 */
function findMarker(body: string, n: number, from: number): { start: number; end: number } | undefined {
  const re = new RegExp(`(?:(?<=${BEFORE_MARKER})|(?<=${BEFORE_SPACED_MARKER}[ \\t]{1,2}))${n}(?!\\p{N})(?![.,]\\p{N})(?=[\\s.,;:!?)"”]|$)|\\[${n}\\]`, 'gu');
  re.lastIndex = from;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const before = body.slice(Math.max(0, m.index - 12), m.index);
    if (/\p{N}[.,]$/u.test(before)) {
      // `2.1 Industry-Based…` starting a line is a section's number
      if (/^[ \t]*[\d.]+$/.test(body.slice(body.lastIndexOf('\n', m.index - 1) + 1, m.index))) continue;
      if (!/^\s+["“(\p{Lu}\p{Script=Han}]/u.test(body.slice(m.index + m[0].length, m.index + m[0].length + 8))) continue;
    }
    return { start: m.index, end: m.index + m[0].length };
  }
  return undefined;
}

const SENTENCE_END = /[.!?。！？]/u;
const ABBREVIATIONS = /(?:^|[\s(])(?:e\.g|i\.e|etc|cf|vs|No|Nr|al|Mr|Ms|Dr|St|p|pp|ed|eds|vol|approx|incl|[A-Z])\.$/;
const MAX_CHARS = 600;

/** The sentence that ends at (or holds) the marker at body[start..end), tidied for reading. */
function sentenceAt(body: string, start: number, end: number, notBefore: number): string | undefined {
  const windowStart = Math.max(0, start - 3000, notBefore);
  const before = body.slice(windowStart, start);
  // the sentence's own closing punctuation is not where it starts
  const own = /[\s.!?。！？"'”’)）\]]*$/u.exec(before)?.[0].length ?? 0;
  const head = before.slice(0, before.length - own);
  let from = 0;
  for (const m of head.matchAll(/([.!?])["'”’)）]*\s+|[。！？]["'”’)）]*|\n[ \t]*\n/gu)) {
    if (m[1] && ABBREVIATIONS.test(head.slice(0, m.index + 1))) continue;
    from = m.index + m[0].length;
  }
  let text = before.slice(from);
  // a marker inside a sentence (after a word or a comma): the sentence goes on to its end
  const ownEnd = before.slice(before.length - own);
  if (!SENTENCE_END.test(ownEnd) && /[\p{L},，、]/u.test(head.slice(-1))) {
    const after = body.slice(end, end + 1500);
    const stop = /[.!?](?=["'”’)）]*(?:\s|$))|[。！？]|\n[ \t]*\n/u.exec(after);
    text += after.slice(0, stop ? stop.index + (stop[0].startsWith('\n') ? 0 : 1) : after.length);
  }
  const tidy = tidyText(text);
  if (!tidy) return undefined;
  return tidy.length > MAX_CHARS ? `…${tidy.slice(tidy.length - MAX_CHARS + 1)}` : tidy;
}

/**
 * Text as a reader would quote it: PDF-to-text line breaks undone (a hyphen at a line end keeps
 * its word whole: `so-`/`called`), runs of spaces and tabs made one space, and no space left
 * between two Chinese characters (the line ends of a Chinese text).
 */
export function tidyText(text: string): string {
  return text
    .replace(/-[ \t]*\n[ \t]*(?=\p{Ll})/gu, '-')
    .replace(/\s+/g, ' ')
    .replace(/(\p{Script=Han}) (?=\p{Script=Han})/gu, '$1')
    .trim();
}
