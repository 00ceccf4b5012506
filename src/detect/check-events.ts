import type { CaptureInput } from '../store/catalogue.js';
import type { WatchedPage } from '../store/watch-store.js';
import type { CaptureRecord } from '../store/rows.js';
import type { TermHit } from '../terms/types.js';
import type { Verdict } from './classify.js';
import { changedRuns, wordDiff } from './diff.js';
import { sheetChanges, type RowOfCells } from './sheet-diff.js';
import { eventTerm, type AttachmentRef, type AttachmentSummary, type ChangedEvent, type ControlsSummary, type DelistedEvent, type DeletionEvent, type RestoredEvent, type TroubleEvent } from './events.js';
import type { Happening } from './lifecycle.js';
import type { SiteTrouble } from './site-trouble.js';

/** The watched page a check was about. */
export type CheckedPage = Pick<WatchedPage, 'url' | 'title' | 'last_checked_at'>;

/** The page's last capture before this check (its text only where the answer was read). */
export type LastCapture = Pick<CaptureRecord, 'body_sha256' | 'at'> & { text?: string | null };

/** What the check read from the live answer. */
export interface LiveRead {
  capture: Pick<CaptureInput, 'bodySha256' | 'text'>;
  hits: TermHit[];
  title: string;
}

/** The text moved beyond trivia: which words came and went, and which terms with them. */
export function changedEvent(f: {
  site: string;
  page: Pick<WatchedPage, 'url' | 'title'>;
  last: LastCapture;
  lastTerms: string[];
  read: LiveRead;
  at: string;
  /** an attachment's change: the file and its posting, and a spreadsheet's rows before and after */
  attachment?: AttachmentRef;
  sheets?: { before: RowOfCells[]; after: RowOfCells[] };
  /** files the posting links now that it did not, as fetched in this pass */
  files?: AttachmentSummary[];
}): ChangedEvent {
  // a workbook's change is told by row and cell; a word diff of its tab-separated text is noise
  const rows = f.sheets && (f.sheets.before.length || f.sheets.after.length) ? sheetChanges(f.sheets.before, f.sheets.after) : undefined;
  const runs = rows ? { added: [], removed: [] } : changedRuns(wordDiff(f.last.text ?? '', f.read.capture.text ?? ''));
  const before = new Set(f.lastTerms);
  const after = new Set(f.read.hits.map((h) => h.term));
  return {
    kind: 'changed',
    site: f.site,
    url: f.page.url,
    title: f.attachment ? f.attachment.posting_title || f.attachment.name : f.read.title || f.page.title || '',
    ...(f.attachment ? { attachment: f.attachment } : {}),
    ...(rows ? { rows } : {}),
    ...(f.files?.length ? { attachments_added: f.files } : {}),
    added: runs.added,
    removed: runs.removed,
    terms_appeared: [...after].filter((t) => !before.has(t)),
    terms_vanished: [...before].filter((t) => !after.has(t)),
    terms: f.read.hits.map(eventTerm),
    capture: `sha256:${f.read.capture.bodySha256}`,
    previous_capture: `sha256:${f.last.body_sha256}`,
    previous_at: f.last.at,
    at: f.at,
  };
}

/**
 * Files of a posting that could not be fetched before, fetched now while the posting stayed as
 * it was: a change of what the posting's evidence holds, told as one (its word runs empty).
 */
export function filesReadEvent(f: { site: string; page: Pick<WatchedPage, 'url' | 'title'>; last: LastCapture; lastTerms: string[]; hits: TermHit[]; files: AttachmentSummary[]; at: string }): ChangedEvent {
  const before = new Set(f.lastTerms);
  return {
    kind: 'changed',
    site: f.site,
    url: f.page.url,
    title: f.page.title ?? '',
    attachments_added: f.files,
    added: [],
    removed: [],
    terms_appeared: [...new Set(f.hits.map((h) => h.term))].filter((t) => !before.has(t)),
    terms_vanished: [],
    terms: f.hits.map(eventTerm),
    capture: `sha256:${f.last.body_sha256}`,
    previous_capture: `sha256:${f.last.body_sha256}`,
    previous_at: f.last.at,
    at: f.at,
  };
}

export interface HappeningFacts {
  site: string;
  page: CheckedPage;
  verdict: Verdict;
  /** the HTTP status the check got, if any */
  status: number | undefined;
  read: LiveRead | undefined;
  last: LastCapture | undefined;
  controls: ControlsSummary;
  at: string;
}

/** The event of a step in a page's life (lifecycle.ts decides the step; this says it). */
export function happeningEvent(h: Happening, f: HappeningFacts): DeletionEvent | RestoredEvent | TroubleEvent {
  const { page, last, at } = f;
  const base = { site: f.site, url: page.url, at };
  switch (h.kind) {
    case 'suspected_deletion':
    case 'deleted':
      return {
        ...base,
        kind: h.kind,
        title: page.title ?? '',
        reason: h.reason,
        detail: h.detail,
        checks: h.kind === 'deleted' ? h.checks : 1,
        failing_since: h.kind === 'deleted' ? h.since : at,
        last_seen: last?.at ?? page.last_checked_at ?? '',
        last_capture: last ? `sha256:${last.body_sha256}` : '',
        status: f.status ?? null,
        controls: f.controls,
      };
    case 'restored': {
      const now = f.read?.capture;
      return {
        ...base,
        kind: 'restored',
        title: f.read?.title || page.title || '',
        scope: 'page',
        was: h.was,
        same_text: f.verdict.kind === 'not_modified' ? true : now && last ? (now.text ?? '') === (last.text ?? '') : null,
        capture: now ? `sha256:${now.bodySha256}` : last ? `sha256:${last.body_sha256}` : null,
      };
    }
    case 'unreachable':
    case 'challenge_failed':
      return { ...base, kind: h.kind, scope: 'page', reason: h.reason, detail: h.detail };
  }
}

/** Gone from a list read whole, still served at its URL. */
export function delistedEvent(f: { site: string; url: string; title: string | null; list: string; lastListedAt: string; last: Pick<CaptureRecord, 'body_sha256'> | undefined; at: string }): DelistedEvent {
  return { kind: 'delisted', site: f.site, url: f.url, title: f.title ?? '', list: f.list, last_listed_at: f.lastListedAt, capture: f.last ? `sha256:${f.last.body_sha256}` : '', at: f.at };
}

interface SiteFacts {
  id: string;
  home: string;
  name: string;
}

/** The site as a whole is in trouble: one event for the site, none for its pages. */
export function siteTroubleEvent(site: Pick<SiteFacts, 'id' | 'home'>, trouble: SiteTrouble, at: string): TroubleEvent {
  return { kind: trouble.kind, site: site.id, url: site.home, scope: 'site', reason: trouble.reason, detail: trouble.detail, at };
}

/** The site answers normally again after `was` was reported. */
export function siteRestoredEvent(site: SiteFacts, was: string, at: string): RestoredEvent {
  return { kind: 'restored', site: site.id, url: site.home, title: site.name, scope: 'site', was, same_text: null, capture: null, at };
}
