import type { DiffPart } from '../detect/diff.js';
import { changedWithContext } from '../text/context-lines.js';
import { esc } from '../text/html-escape.js';

interface Line {
  html: string;
  changed: boolean;
}

/** The parts as lines of escaped HTML, additions in <ins> and removals in <del>. */
function lines(parts: DiffPart[]): Line[] {
  const out: Line[] = [{ html: '', changed: false }];
  for (const p of parts) {
    p.text.split('\n').forEach((piece, i) => {
      if (i > 0) out.push({ html: '', changed: false });
      if (!piece) return;
      const line = out[out.length - 1]!;
      if (p.type === 'same') line.html += esc(piece);
      else {
        line.changed = true;
        line.html += p.type === 'added' ? `<ins>${esc(piece)}</ins>` : `<del>${esc(piece)}</del>`;
      }
    });
  }
  return out;
}

/**
 * A word diff as HTML for the view: one text with both sides marked (inline), and the same lines
 * shown before and after side by side (the stylesheet hides what a side does not have).
 */
export function diffHtml(parts: DiffPart[], opts: { changesOnly: boolean }): { html: string; changed: boolean } {
  const all = lines(parts);
  const changed = all.some((l) => l.changed);
  const shown = opts.changesOnly ? changedWithContext(all, (l) => l.changed, { html: '<span class="gap">…</span>', changed: false }) : all;
  return { html: shown.map((l) => l.html).join('\n'), changed };
}

/** What two lists of links differ by: those only in the later one, and those only in the earlier one. */
export function listDiff<T extends { url: string }>(before: T[], after: T[]): { added: T[]; removed: T[] } {
  const had = new Set(before.map((l) => l.url));
  const has = new Set(after.map((l) => l.url));
  return { added: after.filter((l) => !had.has(l.url)), removed: before.filter((l) => !has.has(l.url)) };
}
