import type { Exchange, FetchErrorKind, FetchPurpose } from './exchange.js';

/** A URL to fetch, and why; `D` is what the caller wants back with the answer. */
export interface FetchTask<D = unknown> {
  url: string;
  purpose: FetchPurpose;
  /** e.g. Referer for VSB attachment downloads, which refuse requests without one */
  headers?: Record<string, string>;
  /** carried, never read: the handler gets it back with the result */
  data?: D;
  maxBodyBytes?: number;
  /** read the page as a browser renders it (lists built by JavaScript) */
  render?: boolean;
  /**
   * What is sent, when it is not a GET of `url`: a site's code asks a JSON API for the page that
   * `url` names (crawlers/<id>.ts). `url` stays the page's identity; the exchanges carry this URL.
   */
  request?: TaskRequest;
}

export interface TaskRequest {
  url: string;
  method: 'GET' | 'POST';
  /** sent as is (and recorded as sent); a POST without one sends an empty body */
  body?: string;
  headers?: Record<string, string>;
}

export interface FetchedPage<D = unknown> {
  task: FetchTask<D>;
  /** URL after redirects */
  finalUrl: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** every hop, redirects first; the last one is this answer */
  chain: Exchange[];
  /** the body stopped at the size limit */
  truncated?: boolean;
  /** `body` is the DOM as the browser rendered it, not the bytes the server sent */
  rendered?: boolean;
}

export interface FailedFetch<D = unknown> {
  task: FetchTask<D>;
  kind: FetchErrorKind;
  message: string;
  /** the exchanges of the last attempt, if any reached the recorder */
  chain: Exchange[];
  attempts: number;
}
