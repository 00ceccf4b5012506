import { Document, isMap, isSeq, YAMLMap } from 'yaml';
import { watchListSchema, type WatchList } from './watch-list.js';

/**
 * A watch list as YAML, the way `xjwatch import` writes it: a comment saying where it came from
 * and how to use it, one entry per cited page, footnote numbers on one line. What it writes is
 * validated first, so that a list `import` wrote always loads.
 */
export function watchListYaml(list: WatchList, comment: string): string {
  const valid = watchListSchema.parse(list);
  const doc = new Document(valid);
  doc.commentBefore = comment
    .split('\n')
    .map((l) => (l ? ` ${l}` : ''))
    .join('\n');
  const entries = doc.get('entries', true);
  if (isSeq(entries)) {
    for (const item of entries.items) {
      if (!isMap(item)) continue;
      const footnotes = (item as YAMLMap).get('footnotes', true);
      if (isSeq(footnotes)) footnotes.flow = true;
      for (const key of ['context', 'archived']) {
        const seq = (item as YAMLMap).get(key, true);
        if (isSeq(seq) && seq.items.length === 0) (item as YAMLMap).delete(key);
      }
    }
  }
  return doc.toString({ lineWidth: 0, indentSeq: true, flowCollectionPadding: false });
}
