import { InputError } from '../../config/errors.js';
import { openDb } from '../../store/db.js';
import { normalizeText } from '../../terms/normalize.js';
import { searchCatalogue } from '../../web/search.js';
import { existingDataDir, out, printJson, safe, type CommonOptions } from '../common.js';
import { bold, dim, highlight } from '../format.js';

export interface SearchOptions extends CommonOptions {
  site?: string;
  limit?: number;
}

export function searchCommand(words: string[], opts: SearchOptions): number {
  if (!normalizeText(words.join(' '))) throw new InputError('give some text to search for');
  const db = openDb(existingDataDir(opts));
  try {
    const { query, found } = searchCatalogue(db, words.join(' '), { site: opts.site, size: opts.limit ?? 50 });
    for (const { row: r, snippet, place } of found) {
      if (opts.json) {
        printJson({ url: r.url, site: r.site_id, kind: r.kind, title: r.title, published: r.published, capturedAt: r.at, capture: `sha256:${r.sha256}`, snippet, ...(place ? { place } : {}), ...(r.parent_url ? { attachedTo: r.parent_url } : {}) });
        continue;
      }
      out(`${bold(safe(r.title) || '(no title)')}  ${dim(`${r.site_id} · ${r.published ?? 'no date'}${r.kind === 'attachment' ? ' · attachment' : ''}`)}`);
      out(`  ${safe(r.url)}${r.parent_url ? dim(`  (attached to ${safe(r.parent_url)})`) : ''}`);
      out(`  ${place ? dim(`at ${safe(place)}  `) : ''}${highlight(snippet, query)}`);
      out(`  ${dim(`captured ${r.at} · sha256:${r.sha256}`)}`);
    }
    if (!opts.json && found.length === 0) out(`no captured text contains "${safe(query)}"`);
    return found.length ? 0 : 1;
  } finally {
    db.close();
  }
}
