/**
 * Where a stretch of an attachment's text came from, by its offset in the text: a PDF page, a
 * document paragraph, a line of a text file, a spreadsheet row (its cells one tab apart, so that
 * a cell is found by counting tabs: one segment per row, not per cell, for 20,000-row sheets).
 */
export type Segment = (
  | { at: number; place: string }
  | { at: number; line: number }
  | { at: number; sheet: string; row: number; col: number }
) & {
  /** the member of an archive the stretch is in: its places read "名单/花名册.xls:roster!E2" */
  member?: string;
};

export interface Place {
  /** as after `#` in "名单.xls#Sheet1!B214": "page=3", "paragraph=12", "line=40", "Sheet1!B214" */
  place: string;
  /** a spreadsheet hit's whole row, its cells joined by " | " */
  row?: string;
}

/** The place of the character at `offset` of `text`, if the segments reach it. */
export function placeAt(text: string, segments: readonly Segment[], offset: number): Place | undefined {
  let lo = 0;
  let hi = segments.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (segments[mid]!.at <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return undefined;
  const s = segments[found]!;
  const p = placeIn(text, s, offset);
  return s.member && p.place !== s.member ? { ...p, place: `${s.member}:${p.place}` } : p;
}

function placeIn(text: string, s: Segment, offset: number): Place {
  if ('place' in s) return { place: s.place };
  if ('line' in s) return { place: `line=${s.line + count(text, '\n', s.at, offset)}` };
  const end = text.indexOf('\n', s.at);
  const line = text.slice(s.at, end < 0 ? text.length : end);
  return { place: `${sheetRef(s.sheet)}!${columnName(s.col + count(text, '\t', s.at, offset))}${s.row}`, row: line.split('\t').filter((c) => c.trim()).join(' | ') };
}

function count(text: string, ch: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf(ch, from); i !== -1 && i < to; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

/** A sheet's name as Excel writes it in a reference: quoted when it holds spaces or punctuation. */
export function sheetRef(name: string): string {
  return /^[\p{L}\p{N}_.]+$/u.test(name) ? name : `'${name.replace(/'/g, "''")}'`;
}

/** 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** A spreadsheet row as its text has it: where it is, and each cell with its reference. */
export interface SheetRow {
  /** the sheet as a reference names it (quoted where Excel quotes it), inside an archive "member:sheet" */
  sheet: string;
  row: number;
  /** "roster!A4:F4": the row's cells from its first to its last */
  range: string;
  cells: { ref: string; value: string }[];
}

/** The rows of a document's spreadsheets, from its text and segments (none for other documents). */
export function sheetRows(text: string, segments: readonly Segment[]): SheetRow[] {
  const rows: SheetRow[] = [];
  for (const s of segments) {
    if (!('sheet' in s)) continue;
    const end = text.indexOf('\n', s.at);
    const values = text.slice(s.at, end < 0 ? text.length : end).split('\t');
    const sheet = `${s.member ? `${s.member}:` : ''}${sheetRef(s.sheet)}`;
    const cells = values.map((value, i) => ({ ref: `${sheet}!${columnName(s.col + i)}${s.row}`, value }));
    rows.push({ sheet, row: s.row, range: `${sheet}!${columnName(s.col)}${s.row}:${columnName(s.col + values.length - 1)}${s.row}`, cells });
  }
  return rows;
}
