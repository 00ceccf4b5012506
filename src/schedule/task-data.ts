import type { FailedFetch, FetchedPage, FetchTask } from '../fetch/fetch-task.js';

export type ControlRole = 'home' | 'not_found' | 'sibling';

/**
 * What a pass's fetch carries for its handler, one shape per purpose. `kind` repeats the
 * purpose's label because TypeScript narrows a union by its own fields, not by `task.purpose`.
 */
export type TaskData =
  /** page `n` of the list that starts at `root`; `generated` from the list's URL pattern */
  | { kind: 'list'; root: string; n: number; generated: boolean }
  | PostingData
  | { kind: 'attachment'; name: string }
  | { kind: 'control'; role: ControlRole }
  | { kind: 'check'; pageId: number }
  /** a stylesheet, image or font of the captures to be pictured; `depth` 1 when a stylesheet named it */
  | { kind: 'requisite'; style: boolean; depth: number };

/** The list page that linked a posting (NOT_LISTED when it was asked for by URL: check). */
export interface PostingData {
  kind: 'posting';
  listUrl: string;
  listRoot: string;
  linkText: string;
  /** the date the list gave it (a JSON API's list: site code) */
  published?: string;
}

export const NOT_LISTED: PostingData = { kind: 'posting', listUrl: '', listRoot: '', linkText: '' };

export type PassTask = FetchTask<TaskData>;
export type PassPage = FetchedPage<TaskData>;
export type PassFailure = FailedFetch<TaskData>;

/** crawlSite carries `data` without reading it and hands back the very tasks it was given. */
export function passPage(page: FetchedPage): PassPage {
  return page as PassPage;
}

export function passFailure(f: FailedFetch): PassFailure {
  return f as PassFailure;
}

/** The name an attachment was linked with ('' for any other task). */
export function attachmentName(task: PassTask): string {
  return task.data?.kind === 'attachment' ? task.data.name : '';
}

/** Where a posting was linked from (NOT_LISTED for any other task). */
export function postingData(task: PassTask): PostingData {
  return task.data?.kind === 'posting' ? task.data : NOT_LISTED;
}
