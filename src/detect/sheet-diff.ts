import { diffArrays } from 'diff';

/** A spreadsheet row as the document reader gives it (extract/document-text/places.ts). */
export interface RowOfCells {
  sheet: string;
  range: string;
  cells: { ref: string; value: string }[];
}

export interface RowChange {
  /** "roster!A5:F5" */
  range: string;
  /** its cells joined by " | " */
  text: string;
}

export interface CellsChange extends RowChange {
  cells: { cell: string; before: string; after: string }[];
}

/** A spreadsheet's changes named by row and cell, the way a reader opens the file to check them. */
export interface SheetChanges {
  added: RowChange[];
  removed: RowChange[];
  changed: CellsChange[];
  /** counts beyond the rows listed */
  counts: { added: number; removed: number; changed: number };
  /** sheets too changed to match row by row (each a sentence) */
  unmatched?: string[];
}

/** Rows listed per kind; the counts say how many there were. */
const LISTED = 50;
/** Beyond this many rows added and removed in one sheet, rows are not matched one by one. */
const MAX_EDIT = 4000;

const joined = (r: RowOfCells) => r.cells.map((c) => c.value.trim()).filter(Boolean).join(' | ');

/**
 * Which rows were added, removed or changed between two readings of a workbook, sheet by sheet:
 * rows are matched by their content (a row inserted above shifts the rest without changing them),
 * and a run of removed rows facing a run of added ones is read as those rows edited, cell by cell.
 */
export function sheetChanges(before: RowOfCells[], after: RowOfCells[]): SheetChanges {
  const out: SheetChanges = { added: [], removed: [], changed: [], counts: { added: 0, removed: 0, changed: 0 } };
  const add = (kind: 'added' | 'removed', r: RowOfCells) => {
    out.counts[kind]++;
    if (out[kind].length < LISTED) out[kind].push({ range: r.range, text: joined(r) });
  };
  const bySheet = (rows: RowOfCells[]) => {
    const m = new Map<string, RowOfCells[]>();
    for (const r of rows) m.set(r.sheet, [...(m.get(r.sheet) ?? []), r]);
    return m;
  };
  const old = bySheet(before);
  const now = bySheet(after);
  for (const sheet of new Set([...old.keys(), ...now.keys()])) {
    const a = old.get(sheet) ?? [];
    const b = now.get(sheet) ?? [];
    const key = (r: RowOfCells) => r.cells.map((c) => c.value).join('\t');
    const parts = diffArrays(a.map(key), b.map(key), { maxEditLength: MAX_EDIT, timeout: 2000 });
    if (!parts) {
      (out.unmatched ??= []).push(`${sheet}: too many rows changed to match them one by one (${a.length} rows before, ${b.length} after)`);
      continue;
    }
    let i = 0;
    let j = 0;
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k]!;
      if (!p.added && !p.removed) {
        i += p.count ?? p.value.length;
        j += p.count ?? p.value.length;
        continue;
      }
      // a removal followed by an addition is one replaced stretch, whichever order the diff gives
      const next = parts[k + 1];
      const removed = p.removed ? p.count ?? p.value.length : next?.removed ? next.count ?? next.value.length : 0;
      const added = p.added ? p.count ?? p.value.length : next?.added ? next.count ?? next.value.length : 0;
      if ((p.removed && next?.added) || (p.added && next?.removed)) k++;
      const paired = Math.min(removed, added);
      for (let n = 0; n < paired; n++) changedRow(out, a[i + n]!, b[j + n]!);
      for (let n = paired; n < removed; n++) add('removed', a[i + n]!);
      for (let n = paired; n < added; n++) add('added', b[j + n]!);
      i += removed;
      j += added;
    }
  }
  return out;
}

function changedRow(out: SheetChanges, was: RowOfCells, is: RowOfCells): void {
  const cells: CellsChange['cells'] = [];
  for (let c = 0; c < Math.max(was.cells.length, is.cells.length); c++) {
    const before = was.cells[c]?.value ?? '';
    const after = is.cells[c]?.value ?? '';
    // a cell past the new row's end is named where it was, in the new row's line
    const ref = is.cells[c]?.ref ?? was.cells[c]!.ref.replace(/\d+$/, String(rowNumber(is)));
    if (before !== after) cells.push({ cell: ref, before, after });
  }
  out.counts.changed++;
  if (out.changed.length < LISTED) out.changed.push({ range: is.range, text: joined(is), cells });
}

function rowNumber(r: RowOfCells): string {
  return /(\d+)$/.exec(r.range)?.[1] ?? '';
}
