/**
 * Links to web archives, as reports cite them beside (or instead of) the page itself: a Wayback
 * capture `web.archive.org/web/<timestamp>/<url>` names the page it holds; a Save Page Now link
 * `web.archive.org/save/<url>` names the page but holds nothing; archive.today's short links
 * (`archive.is/AbC12`, and its other domains) name nothing, while its long form
 * (`archive.ph/2019.05.24-105429/<url>`, `…/newest/<url>`) does.
 */
export type ArchiveLink =
  /** a capture (or, with a `*` in the timestamp, the Wayback Machine's list of captures) of `original` */
  | { kind: 'capture'; original: string }
  /** a request to archive `original` now: not a capture of anything */
  | { kind: 'save'; original: string }
  /** a capture whose original the link does not name (archive.today's short links) */
  | { kind: 'opaque' };

const ARCHIVE_TODAY = /^(?:www\.)?archive\.(?:is|today|ph|li|vn|fo|md)$/i;
const WAYBACK = /^(?:www\.)?(?:web\.)?archive\.org$/i;

/** What an archive link is, or undefined for a URL that is not one. */
export function archiveLink(url: string): ArchiveLink | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  // the path as written: URL() would resolve the inner URL's `//` and dots away
  const rest = /^[a-z]+:\/\/[^/?#]+(.*)$/is.exec(url)?.[1] ?? '';
  if (WAYBACK.test(u.hostname)) {
    const save = /^\/save\/(.+)$/i.exec(rest);
    if (save) return original(save[1]!, 'save');
    const capture = /^\/web\/(?:[0-9*]{1,14}[a-z_]*|\*)\/(.+)$/i.exec(rest);
    if (capture) return original(capture[1]!, 'capture');
    return undefined; // archive.org itself, a collection, a search: not a page's archive
  }
  if (ARCHIVE_TODAY.test(u.hostname)) {
    const long = /^\/(?:\d{4}\.\d{2}\.\d{2}-\d{6}|\d{14}|newest|oldest)\/(.+)$/i.exec(rest);
    if (long) return original(long[1]!, 'capture');
    return /^\/[A-Za-z0-9]{4,10}\/?$/.test(rest) ? { kind: 'opaque' } : undefined;
  }
  return undefined;
}

/** The archived page's own URL, with the scheme the archive's path may have lost or squashed. */
function original(inner: string, kind: 'capture' | 'save'): ArchiveLink | undefined {
  let url = inner.replace(/^(https?):\/(?!\/)/i, '$1://');
  if (!/^https?:\/\//i.test(url)) url = `http://${url}`;
  try {
    new URL(url);
  } catch {
    return undefined;
  }
  return { kind, original: url };
}
