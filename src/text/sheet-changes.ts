/** A spreadsheet's changes as an event carries them (detect/sheet-diff.ts). */
export interface SheetChangeList {
  added: { range: string; text: string }[];
  removed: { range: string; text: string }[];
  changed: { range: string; cells: { cell: string; before: string; after: string }[] }[];
  counts: { added: number; removed: number; changed: number };
  unmatched?: string[];
}

/** One line per row changed, for mails and the terminal: "changed roster!A3:E3: D3 8 → 9". */
export function sheetChangeLines(s: SheetChangeList, max = 12): string[] {
  const lines: string[] = [];
  for (const c of s.changed) lines.push(`changed ${c.range}: ${c.cells.map((x) => `${x.cell.replace(/^.*!/, '')} ${x.before || '(empty)'} → ${x.after || '(empty)'}`).join('; ')}`);
  for (const r of s.added) lines.push(`added ${r.range}: ${r.text}`);
  for (const r of s.removed) lines.push(`removed ${r.range}: ${r.text}`);
  const shown = lines.slice(0, max);
  const total = s.counts.added + s.counts.removed + s.counts.changed;
  if (total > shown.length) shown.push(`… ${total - shown.length} more row change(s)`);
  return [...shown, ...(s.unmatched ?? [])];
}
