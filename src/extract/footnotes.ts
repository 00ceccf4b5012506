import { rejoinLines } from './url-rejoin.js';

/** One footnote: its number, its text (URLs cut by line ends rejoined) and its first line. */
export interface Footnote {
  number: number;
  text: string;
  line: number;
}

/** A report's text parted into its running text and its footnotes. */
export interface ReportParts {
  /** the running text, footnotes left out (lines kept, so that paragraphs and sentences show) */
  body: string;
  footnotes: Footnote[];
  /** true when footnotes were found under separator rules (pdftotext's page-foot lines) */
  separated: boolean;
}

/**
 * A line of tabs, underscores or rules alone: what PDF-to-text tools make of the short rule above
 * a page's footnotes.
 */
const SEPARATOR = /^[ \t]*(?:\t{8,}|_{8,}|-{8,}|─{8,}|—{8,})[ \t]*$/;
const BLANK = /^\s*$/;
/** `17 http://…`, `19` alone, `22https://…`, `[3] …`, `4. http://…` */
const START = /^(?:\[(\d{1,3})\]|(\d{1,3})(\.?))(?=\s|https?:\/\/|www\.|$)/i;
const HAS_URL = /https?:\/\/|www\./i;
/** footnotes missing between two found ones (unreadable, or without a number in the text) */
const MAX_GAP = 10;

/**
 * Finds the footnotes. Where the text has separator lines (pdftotext), a page's footnotes are
 * the lines after its separator up to the first blank or indented line (the next page's text); a
 * separator block that starts without a number continues the last footnote (one broken across
 * pages). Elsewhere (pdf.js text, HTML, plain text) a footnote is a line starting with its
 * number, up to a blank or indented line. Numbers only go up, by at most MAX_GAP; without
 * separators the first one must be 1 or carry a URL, and `4.`-style numbers must carry a URL,
 * so that a numbered list in the text is not taken for footnotes.
 */
export function splitFootnotes(text: string): ReportParts {
  const lines = text.split(/\r\n|\r|\n/);
  const separated = lines.some((l) => SEPARATOR.test(l));
  const body: string[] = [];
  const notes: { number: number; line: number; lines: string[] }[] = [];
  let current: (typeof notes)[number] | undefined;
  let inZone = false;
  let zoneStart = false;
  let last = 0;
  lines.forEach((line, i) => {
    if (separated && SEPARATOR.test(line)) {
      inZone = true;
      zoneStart = true;
      joinAcrossPage(body);
      return;
    }
    const footnoteLine = separated ? inZone : true;
    if (!footnoteLine || BLANK.test(line) || /^\s/.test(line)) {
      if (separated) inZone = false;
      else current = undefined;
      body.push(line);
      return;
    }
    // a page's first footnote may take any higher number (an excerpt, a page missing)
    const start = startOf(line, zoneStart ? 0 : last, separated, last);
    zoneStart = false;
    if (start) {
      current = { number: start.number, line: i + 1, lines: [start.rest] };
      notes.push(current);
      last = start.number;
    } else if (current) {
      current.lines.push(line);
    } else {
      body.push(line);
    }
  });
  const footnotes = notes.map((n) => ({ number: n.number, line: n.line, text: rejoinLines(n.lines.filter((l) => !BLANK.test(l))).trim() }));
  return { body: body.join('\n'), footnotes, separated };
}

/**
 * The blank lines a page ends with, before its footnotes, are no paragraph break when the page
 * ends in the middle of a sentence: the next page's first line carries it on.
 */
function joinAcrossPage(body: string[]): void {
  let blanks = 0;
  while (body.length && BLANK.test(body[body.length - 1]!)) {
    body.pop();
    blanks++;
  }
  const last = body[body.length - 1]?.trimEnd() ?? '';
  if (blanks && /[.!?。！？:："”)）]\s*\d{0,3}$/u.test(last)) body.push('');
}

/** `gapFrom`: the number the next one may exceed by MAX_GAP (0: any); `last`: the one it must exceed */
function startOf(line: string, gapFrom: number, separated: boolean, last: number): { number: number; rest: string } | undefined {
  const m = START.exec(line);
  if (!m) return undefined;
  const number = Number(m[1] ?? m[2]);
  const rest = line.slice(m[0].length).replace(/^\s+/, '');
  if (number < 1 || number <= last || (gapFrom > 0 && number > gapFrom + MAX_GAP)) return undefined;
  const dotted = m[3] === '.';
  if (dotted && !HAS_URL.test(rest)) return undefined;
  if (!separated && last === 0 && number !== 1 && !HAS_URL.test(rest)) return undefined;
  return { number, rest };
}
