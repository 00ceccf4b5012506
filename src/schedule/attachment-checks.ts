import type { RevisitPolicy } from '../config/settings.js';
import { filesReadEvent, type LastCapture } from '../detect/check-events.js';
import type { Verdict } from '../detect/classify.js';
import type { ChangedEvent } from '../detect/events.js';
import { sheetRows, type Segment, type SheetRow } from '../extract/document-text/places.js';
import type { CaptureHead, WatchedPage, WatchStore } from '../store/watch-store.js';
import { mergeHits } from '../terms/matcher.js';
import type { TermHit } from '../terms/types.js';
import { attachmentSummary, type AttachmentResult } from './attachments.js';
import type { Link } from './page-reader.js';
import type { ReadAnswer } from './rechecks.js';
import { isDue } from './revisit.js';

/** An attachment's answer as read: its file (with a workbook's segments), or the web page served instead. */
export type AttachmentAnswer = ReadAnswer & { segments?: string; html: boolean };

/**
 * A file's URL that answers normally may still not serve the file: a web page where a document
 * was (the site's error page with HTTP 200, a login) means the file is gone from there.
 */
export function attachmentVerdict(read: AttachmentAnswer | undefined, lastContentType: string | null | undefined): Verdict {
  const wasPage = /html/i.test(lastContentType ?? '');
  if (read?.html && !wasPage) return { kind: 'gone', reason: 'soft_404', detail: `a web page is served where the file was${read.title ? ` ("${read.title.slice(0, 60)}")` : ''}` };
  return { kind: 'live' };
}

/** A workbook's rows in its last capture and in the answer now (none for other documents). */
export function sheetsOf(store: WatchStore, last: CaptureHead, read: AttachmentAnswer): { before: SheetRow[]; after: SheetRow[] } | undefined {
  const rows = (text: string | null | undefined, segments: string | undefined) => (text && segments ? sheetRows(text, JSON.parse(segments) as Segment[]) : []);
  const before = rows(store.capture(last.id)?.text, store.segmentsOf(last.id));
  const after = rows(read.capture.text, read.segments);
  return before.length || after.length ? { before, after } : undefined;
}

/** A file that failed `failures` times is tried again after 1, 2, 4 … hours, at most a week apart. */
export function retryDue(f: { failures: number; last_tried_at: string }, now: number): boolean {
  const waitHours = Math.min(2 ** Math.max(0, f.failures - 1), 168);
  return now - Date.parse(f.last_tried_at) >= waitHours * 3_600_000;
}

/**
 * A checked posting's files: those to check with it — all, or with `due` those the revisit policy
 * finds due on their own record (a file with terms as often as a posting with terms, one
 * unchanged for long seldom: every file with every check of its posting would multiply a
 * watcher's bytes) — and those never fetched, to try again (with `due`, after their wait).
 */
export function filesOf(store: WatchStore, postingId: number, due?: { policy: RevisitPolicy; now: Date }): { due: (WatchedPage & { link_name: string | null })[]; retries: Link[] } {
  const files = store.attachmentsOf(postingId).filter((a) => !due || isDue({ ...a, has_hits: Boolean(a.has_hits), pinned: false }, due.policy, due.now));
  const retries = store.failedAttachments(postingId).filter((f) => !due || retryDue(f, due.now.getTime()));
  return { due: files, retries: retries.map((f) => ({ url: f.url, name: f.name ?? f.url })) };
}

/** Files tried again and now captured while their posting stayed as it was: told as a change of it. */
export function retriedFilesEvent(files: AttachmentResult[], f: { site: string; page: Pick<WatchedPage, 'url' | 'title'>; last: LastCapture; lastTerms: string[]; at: string }): ChangedEvent {
  // merged as a posting's are: each place named with its file ("名单.xls#roster!E2")
  const order = [...new Set(files.flatMap((x) => x.hits.map((h) => h.term)))].map((term) => ({ term, variants: [], tags: [] }));
  return filesReadEvent({ ...f, hits: mergeHits(files.map((x) => x.hits), order), files: files.map(attachmentSummary) });
}

/** The term hits of a posting's files, as their newest captures have them, for the posting's own. */
export function carriedHits(store: WatchStore, postingId: number): TermHit[] {
  return store.attachmentHits(postingId).map((h) => ({
    term: h.term,
    count: h.count,
    snippet: h.snippet,
    forms: JSON.parse(h.forms) as Record<string, number>,
    source: `attachment: ${h.name ?? ''}`,
    ...(h.places ? { places: JSON.parse(h.places) as string[] } : {}),
  }));
}
