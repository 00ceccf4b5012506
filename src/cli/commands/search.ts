import { InputError } from '../../config/errors.js';
import { placeAt, type Segment } from '../../extract/document-text/places.js';
import { openDb } from '../../store/db.js';
import { search } from '../../store/queries.js';
import { normalizeText } from '../../terms/normalize.js';
import { normalizeMapped } from '../../terms/original-map.js';
import { snippetAround } from '../../terms/snippet.js';
import { existingDataDir, out, printJson, safe, type CommonOptions } from '../common.js';
import { bold, dim, highlight } from '../format.js';

export interface SearchOptions extends CommonOptions {
  site?: string;
  limit?: number;
}

export function searchCommand(words: string[], opts: SearchOptions): number {
  const query = normalizeText(words.join(' '));
  if (!query) throw new InputError('give some text to search for');
  const db = openDb(existingDataDir(opts));
  try {
    const rows = search(db, query, { site: opts.site, limit: opts.limit ?? 50 });
    for (const r of rows) {
      const at = r.body.indexOf(query);
      const snippet = at >= 0 ? snippetAround(r.body, at, query.length) : (r.title ?? '');
      const place = at >= 0 ? placeOf(r.text, r.segments, query) : undefined;
      if (opts.json) {
        printJson({ url: r.url, site: r.site_id, kind: r.kind, title: r.title, published: r.published, capturedAt: r.at, capture: `sha256:${r.sha256}`, snippet, ...(place ? { place } : {}), ...(r.parent_url ? { attachedTo: r.parent_url } : {}) });
        continue;
      }
      out(`${bold(safe(r.title) || '(no title)')}  ${dim(`${r.site_id} · ${r.published ?? 'no date'}${r.kind === 'attachment' ? ' · attachment' : ''}`)}`);
      out(`  ${safe(r.url)}${r.parent_url ? dim(`  (attached to ${safe(r.parent_url)})`) : ''}`);
      out(`  ${place ? dim(`at ${safe(place)}  `) : ''}${highlight(snippet, query)}`);
      out(`  ${dim(`captured ${r.at} · sha256:${r.sha256}`)}`);
    }
    if (!opts.json && rows.length === 0) out(`no captured text contains "${safe(query)}"`);
    return rows.length ? 0 : 1;
  } finally {
    db.close();
  }
}

/** Where in a document (its page, paragraph or cell) the first match of a normalised query is. */
function placeOf(text: string | null, segments: string | null, query: string): string | undefined {
  if (!text || !segments) return undefined;
  const mapped = normalizeMapped(text);
  const at = mapped?.norm.indexOf(query) ?? -1;
  if (!mapped || at < 0) return undefined;
  return placeAt(text, JSON.parse(segments) as Segment[], mapped.origin[at]!)?.place;
}
