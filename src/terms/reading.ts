import { normalizeText } from './normalize.js';

/**
 * The text a reader reads, for counting terms: each occurrence once. The title is read once, as
 * the heading, and not again where the main text opens with it (an <h1> inside the content
 * block); `<title>` is not read at all.
 */
export function readingText(title: string, text: string): string {
  if (!title) return text;
  const t = normalizeText(title);
  const opens = normalizeText(text.slice(0, title.length * 4 + 400))
    .split('\n', 4)
    .some((line) => line.startsWith(t) || (t.startsWith(line) && line.length >= 4 && line.length * 2 >= t.length));
  return opens ? text : `${title}\n${text}`;
}
