import type { Verdict } from '../detect/classify.js';
import { sheetRows, type Segment, type SheetRow } from '../extract/document-text/places.js';
import type { CaptureHead, WatchStore } from '../store/watch-store.js';
import type { ReadAnswer } from './rechecks.js';

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
