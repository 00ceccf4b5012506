import { placeAt, type Segment } from '../extract/document-text/places.js';
import type { Db } from '../store/db.js';
import { search, type SearchRow } from '../store/queries.js';
import { normalizeText } from '../terms/normalize.js';
import { normalizeMapped } from '../terms/original-map.js';
import { snippetAround } from '../terms/snippet.js';

export interface Found {
  row: SearchRow;
  /** the text around the first match (normalised text, as matched) */
  snippet: string;
  /** where in a document the match is: its page, paragraph or cell */
  place?: string;
}

/**
 * The catalogue's full-text search as `xjwatch search` and the view show it: the newest matching
 * capture of each page, with a snippet and, in a document, the place of the match. `page` counts
 * from 1.
 */
export function searchCatalogue(db: Db, text: string, f: { site?: string; page?: number; size: number }): { query: string; found: Found[]; more: boolean } {
  const query = normalizeText(text);
  if (!query) return { query, found: [], more: false };
  const page = f.page ?? 1;
  const rows = search(db, query, { site: f.site, limit: page * f.size + 1 });
  const found = rows.slice((page - 1) * f.size, page * f.size).map((row) => {
    const at = row.body.indexOf(query);
    const place = at >= 0 ? placeOf(row.text, row.segments, query) : undefined;
    return { row, snippet: at >= 0 ? snippetAround(row.body, at, query.length) : (row.title ?? ''), ...(place ? { place } : {}) };
  });
  return { query, found, more: rows.length > page * f.size };
}

/** Where in a document (its page, paragraph or cell) the first match of a normalised query is. */
function placeOf(text: string | null, segments: string | null, query: string): string | undefined {
  if (!text || !segments) return undefined;
  const mapped = normalizeMapped(text);
  const at = mapped?.norm.indexOf(query) ?? -1;
  if (!mapped || at < 0) return undefined;
  return placeAt(text, JSON.parse(segments) as Segment[], mapped.origin[at]!)?.place;
}
