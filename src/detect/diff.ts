import { diffWords } from 'diff';

export interface DiffPart {
  type: 'same' | 'added' | 'removed';
  text: string;
}

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/**
 * Word-level diff of two texts. Chinese has no spaces, so words come from Intl.Segmenter; a
 * change reads "[-加强安全][+加快推进]生产" rather than character soup.
 */
export function wordDiff(before: string, after: string): DiffPart[] {
  return diffWords(before, after, { intlSegmenter: segmenter }).map((c) => ({ type: c.added ? 'added' : c.removed ? 'removed' : 'same', text: c.value }));
}

/** The runs that were added and removed, each with a little context, for events and mails. */
export function changedRuns(parts: DiffPart[], maxRuns = 20, maxChars = 400): { added: string[]; removed: string[] } {
  const added: string[] = [];
  const removed: string[] = [];
  for (const p of parts) {
    const text = p.text.trim();
    if (!text) continue;
    const clipped = text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
    if (p.type === 'added' && added.length < maxRuns) added.push(clipped);
    if (p.type === 'removed' && removed.length < maxRuns) removed.push(clipped);
  }
  return { added, removed };
}
