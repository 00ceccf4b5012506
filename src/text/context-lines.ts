/**
 * The lines with a change and `context` lines either side, in order, with `gap` where lines were
 * left out (a diff shown as its changes only, in the terminal and the web view).
 */
export function changedWithContext<T>(lines: T[], changed: (line: T) => boolean, gap: T, context = 1): T[] {
  const keep = new Set<number>();
  lines.forEach((l, i) => {
    if (changed(l)) for (let k = i - context; k <= i + context; k++) if (k >= 0 && k < lines.length) keep.add(k);
  });
  const out: T[] = [];
  let last = -1;
  for (const i of [...keep].sort((a, b) => a - b)) {
    if (i > last + 1) out.push(gap);
    out.push(lines[i]!);
    last = i;
  }
  if (last < lines.length - 1 && out.length) out.push(gap);
  return out;
}
