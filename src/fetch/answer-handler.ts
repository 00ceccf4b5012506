import type { BrowserCookie, BrowserFetcher } from './browser.js';
import type { ChallengeGate } from './challenge-gate.js';
import { errorKind, RetryableFetchError } from './errors.js';
import type { Exchange } from './exchange.js';
import type { FailedFetch, FetchedPage, FetchTask } from './fetch-task.js';

export interface AnswerHandlerOptions {
  gate: ChallengeGate;
  /** set when pages may be rendered (the site's fetch mode is not http) */
  browser?: BrowserFetcher;
  fetchMode?: 'http' | 'browser' | 'auto';
  challengeTimeoutMs?: number;
  cookiesFor: (url: string) => Promise<BrowserCookie[]>;
  onPage: (page: FetchedPage) => Promise<FetchTask[]> | FetchTask[];
}

/** An answer as the client recorded it: the chain of hops, the last one the answer. */
export interface RecordedAnswer {
  finalUrl: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  chain: Exchange[];
}

/**
 * What happens to an answer before the crawl logic sees it, whichever way it was fetched (Crawlee's
 * queue or the known-URL loop): a challenge is passed in the browser and the page asked again, a
 * 5xx is a try to repeat, and the page is rendered where the task or the site asks for it.
 * Throws RetryableFetchError for an answer to ask again.
 */
export async function handleAnswer(t: FetchTask, a: RecordedAnswer, o: AnswerHandlerOptions): Promise<FetchTask[]> {
  const last = a.chain[a.chain.length - 1]!;
  const raw = last.response!.body;
  await o.gate.admit(t, a.status, raw, last.startedAt);
  if (a.status >= 500) throw new RetryableFetchError('http_5xx', `HTTP ${a.status}`);
  const renderer = o.browser && (t.render || o.fetchMode === 'browser') ? o.browser : undefined;
  let body = raw;
  let rendered = false;
  if (renderer && a.status < 400) {
    const r = await renderer.fetch({ url: t.url, purpose: t.purpose, cookies: await o.cookiesFor(t.url), challengeTimeoutMs: o.challengeTimeoutMs });
    if (r.passed) [body, rendered] = [Buffer.from(r.html, 'utf8'), true];
  }
  return o.onPage({
    task: t,
    finalUrl: a.finalUrl,
    status: a.status,
    headers: rendered ? { ...a.headers, 'content-type': 'text/html; charset=utf-8' } : a.headers,
    // the bytes exactly as recorded (or the DOM the browser rendered)
    body,
    chain: a.chain,
    truncated: last.response!.truncated === 'length',
    rendered,
  });
}

/** A fetch given up on, in the words the crawl logic reads. */
export function failureOf(t: FetchTask, error: Error, attempts: number): FailedFetch {
  const kind = /timed out/i.test(error.message) && errorKind(error) === 'other' ? 'timeout' : errorKind(error);
  return { task: t, kind, message: error.message, chain: (error as { exchanges?: Exchange[] }).exchanges ?? [], attempts };
}

/**
 * Between tries: anything but a passed challenge waits an exponential backoff with jitter (capped:
 * Crawlee gives a handler chain about ten minutes before it gives up on the crawl).
 */
export function backoffWait(tries: number, backoffMs: number): Promise<void> {
  const wait = Math.min(120_000, backoffMs * 2 ** Math.max(0, tries)) * (0.75 + Math.random() * 0.5);
  return wait > 0 ? new Promise((r) => setTimeout(r, wait)) : Promise.resolve();
}

export function isPassedChallenge(error: unknown): boolean {
  return error instanceof RetryableFetchError && error.kind === 'challenge';
}
