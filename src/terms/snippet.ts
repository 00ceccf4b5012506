const CONTEXT = 30;

/** Where the snippet around a match starts and ends (kept within its line), and whether it was cut. */
export function snippetBounds(text: string, start: number, length: number, context = CONTEXT): { from: number; to: number; head: string; tail: string } {
  let from = Math.max(0, start - context);
  let to = Math.min(text.length, start + length + context);
  const nlBefore = text.lastIndexOf('\n', start - 1);
  if (nlBefore + 1 > from) from = nlBefore + 1;
  const nlAfter = text.indexOf('\n', start + length);
  if (nlAfter !== -1 && nlAfter < to) to = nlAfter;
  const head = from > 0 && text[from - 1] !== '\n' ? '…' : '';
  const tail = to < text.length && text[to] !== '\n' ? '…' : '';
  return { from, to, head, tail };
}

/**
 * The text around a match, kept within its line, with "…" where it was cut. Plain text: the
 * presentation layers highlight the term themselves.
 */
export function snippetAround(text: string, start: number, length: number, context = CONTEXT): string {
  const b = snippetBounds(text, start, length, context);
  return `${b.head}${text.slice(b.from, b.to)}${b.tail}`;
}
