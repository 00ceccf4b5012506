import { log, RequestQueue, type Configuration, type Request } from '@crawlee/core';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { CookieJar } from 'tough-cookie';
import type { HostGate } from './host-gate.js';
import type { HttpCrawlingContext } from '@crawlee/http';
import { backoffWait, failureOf, handleAnswer, isPassedChallenge, type AnswerHandlerOptions } from './answer-handler.js';
import type { BrowserCookie, BrowserFetcher } from './browser.js';
import { browserCookies, ChallengeGate } from './challenge-gate.js';
import type { ExchangeSink } from './exchange.js';
import type { FailedFetch, FetchedPage, FetchTask } from './fetch-task.js';
import { crawlerConfiguration } from './crawlee-config.js';
import { DEDUP_SLOTS, sizeDedupCaches } from './dedup-cache.js';
import { BUNDLED } from '../entries.js';
import { DirectFetches } from './known-fetch.js';
import { RecordingCrawler } from './recording-crawler.js';

import { RecordingHttpClient } from './http-client.js';
import type { ProxyServer } from './proxy/proxy-server.js';
import type { RedirectPolicy } from './redirect-policy.js';

log.setLevel(log.LEVELS.OFF);

export interface SiteCrawlOptions {
  userAgent: string;
  perHost: number;
  delayMs: number;
  timeoutMs: number;
  maxBodyBytes: number;
  retries: number;
  backoffMs: number;
  /** failed requests in a row after which the site is not asked again in this crawl */
  breakAfter?: number;
  resolve?: Record<string, string>;
  /** per-host politeness shared with every crawl running at once (a watcher's) */
  hostGate?: HostGate;
  /** the cookie jar to use: a later crawl of the site (its pictures' requisites) shares the first one's */
  cookies?: CookieJar;
  redirects?: RedirectPolicy;
  /** http: never a browser; auto: a browser for challenges and rendering; browser: every page rendered */
  fetchMode?: 'http' | 'browser' | 'auto';
  browser?: BrowserFetcher;
  challengeTimeoutMs?: number;
  sink: ExchangeSink;
  /** aborted when the run must end now (its data directory failed a write): no more fetches */
  stop?: AbortSignal;
  /** the proxy every request goes through (the browser's is the one `browser` was started with) */
  proxy?: ProxyServer;
  /** a page's processing; returns the follow-up fetches it found */
  onPage: (page: FetchedPage) => Promise<FetchTask[]> | FetchTask[];
  onFailure: (failure: FailedFetch) => Promise<void> | void;
}

/**
 * Fetches one site's pages: the list pages (`start`'s, and those the lists lead to) with Crawlee's
 * HttpCrawler — its queue, concurrency and retries — and everything else (`known`: rechecks,
 * controls; the postings and attachments the lists name) straight through the same client, both at
 * once. Handlers return follow-ups instead of touching a queue, so the crawl logic above stays
 * free of Crawlee.
 */
export async function crawlSite(start: FetchTask[], opts: SiteCrawlOptions, known: FetchTask[] = []): Promise<{ requests: number; failed: number; cookies: (url: string) => Promise<BrowserCookie[]>; jar: CookieJar }> {
  const client = new RecordingHttpClient({
    userAgent: opts.userAgent,
    perHost: opts.perHost,
    delayMs: opts.delayMs,
    timeoutMs: opts.timeoutMs,
    maxBodyBytes: opts.maxBodyBytes,
    breakAfter: opts.breakAfter,
    resolve: opts.resolve,
    cookies: opts.cookies,
    hostGate: opts.hostGate,
    redirects: opts.redirects,
    sink: opts.sink,
    stop: opts.stop,
    proxy: opts.proxy,
  });
  const tasks = new Map<string, FetchTask>();
  const key = (t: FetchTask) => `${t.purpose.label}${t.render ? '+render' : ''} ${t.url}`;
  const browser = opts.fetchMode === 'http' ? undefined : opts.browser;
  const gate = new ChallengeGate(client.cookies, browser, opts.challengeTimeoutMs);
  const cookiesFor = (url: string) => browserCookies(client.cookies, url);
  const toRequest = (t: FetchTask) => {
    const k = key(t);
    tasks.set(k, t);
    // a task with its own request (site code) is fetched at that URL, with that method
    return { url: t.request?.url ?? t.url, method: t.request?.method, uniqueKey: k, userData: { key: k } };
  };
  const taskOf = (request: Request) => tasks.get(String(request.userData.key))!;
  const handler: AnswerHandlerOptions = { gate, browser, fetchMode: opts.fetchMode, challengeTimeoutMs: opts.challengeTimeoutMs, cookiesFor, onPage: opts.onPage };
  let failed = 0;
  const claim = (t: FetchTask) => !tasks.has(key(t)) && Boolean(tasks.set(key(t), t));
  const direct = new DirectFetches({ client, concurrency: opts.perHost, retries: opts.retries, backoffMs: opts.backoffMs, stop: opts.stop, handler, onFailure: opts.onFailure, claim });
  const config = crawlerConfiguration();
  const requestQueue = await smallQueue(config);

  const crawler = new RecordingCrawler(
    {
      requestQueue,
      httpClient: client,
      maxConcurrency: opts.perHost,
      minConcurrency: opts.perHost,
      maxRequestRetries: opts.retries,
      // our client enforces the real time limit; this only catches a hung handler chain
      navigationTimeoutSecs: Math.ceil((opts.timeoutMs + opts.delayMs) / 1000) + 10,
      // handlers wait for attachment text (one reader per run, a minute per file at most) and
      // must not be retried while still running
      requestHandlerTimeoutSecs: 3600,
      additionalMimeTypes: ['*/*'],
      // never let Crawlee transcode: we decode from the raw bytes ourselves (extract/decode.ts)
      forceResponseEncoding: 'utf8',
      // 4xx and 5xx reach the handler, which decides (a 404 is an answer, a 503 a retry)
      ignoreHttpErrorStatusCodes: Array.from({ length: 200 }, (_, i) => 400 + i),
      useSessionPool: false,
      retryOnBlocked: false,
      statusMessageLoggingInterval: 3600,
      autoscaledPoolOptions: { desiredConcurrency: opts.perHost, maybeRunIntervalSecs: 0.05 },
      preNavigationHooks: [
        ({ request }, gotOptions) => {
          const t = taskOf(request);
          Object.assign(gotOptions as Record<string, unknown>, { xjPurpose: t.purpose, xjMaxBodyBytes: t.maxBodyBytes, xjTaskUrl: t.url, xjBody: t.request?.body });
          if (t.headers || t.request?.headers) gotOptions.headers = { ...gotOptions.headers, ...t.headers, ...t.request?.headers };
        },
      ],
      requestHandler: async (ctx: HttpCrawlingContext) => {
        if (opts.stop?.aborted) return; // fetched before the run stopped: nothing more is made of it
        const t = taskOf(ctx.request);
        const chain = client.chainOf(ctx.response);
        if (!chain?.length) throw new Error(`internal: no recorded exchange for ${t.url}`);
        const follow = await handleAnswer(t, { finalUrl: ctx.response.url ?? t.url, status: ctx.response.statusCode ?? 0, headers: ctx.response.headers, chain }, handler);
        const fresh = follow.filter((f) => !tasks.has(key(f)));
        direct.add(fresh.filter((f) => !discovers(f)));
        const lists = fresh.filter(discovers);
        if (lists.length) await ctx.addRequests(lists.map(toRequest));
      },
      errorHandler: async ({ request }, error) => {
        // a passed challenge is not a failed try
        if (isPassedChallenge(error)) request.retryCount -= 1;
        // a tripped site fails the next try at once anyway, a stopped run makes none: no wait
        else if (!client.tripped && !opts.stop?.aborted) await backoffWait(request.retryCount, opts.backoffMs);
      },
      failedRequestHandler: async ({ request }, error) => {
        failed++;
        await opts.onFailure(failureOf(taskOf(request), error, request.retryCount + 1));
      },
    },
    config,
  );
  // Crawlee's graceful stop: no new requests, and those in flight finish (their answers recorded)
  // before the run is sealed; aborting the pool left a request's answer to arrive after the seal
  // (bench/scale: one unrecorded answer per host at a SIGTERM)
  const halt = () => crawler.stop('the run stopped');
  opts.stop?.addEventListener('abort', halt, { once: true });
  try {
    if (opts.stop?.aborted) return { requests: 0, failed, cookies: cookiesFor, jar: client.cookies };
    // known URLs, and what the lists name, outside the queue, at the same time as the discovery
    direct.add([...known, ...start.filter((t) => !discovers(t))]);
    const lists = start.filter(discovers);
    let stats: { requestsTotal: number } = { requestsTotal: 0 };
    let d: { requests: number; failed: number };
    try {
      if (lists.length) stats = await crawler.run(lists.map(toRequest));
    } finally {
      // nothing is sealed while a direct fetch is still on its way
      d = await direct.close();
    }
    return { requests: stats.requestsTotal + d.requests, failed: failed + d.failed, cookies: cookiesFor, jar: client.cookies };
  } finally {
    opts.stop?.removeEventListener('abort', halt);
    client.close();
  }
}

/**
 * What goes through Crawlee's queue: list pages, whose answers name the pages to fetch next. The
 * rest (postings, attachments, rechecks, requisites) is fetched by DirectFetches, at the same time.
 */
function discovers(t: FetchTask): boolean {
  return t.purpose.label === 'list';
}

export { DEDUP_SLOTS };

/**
 * The run's request queue with a small dedup cache. Crawlee 3.18 gives every queue a
 * direct-mapped cache of 1,000,000 slots (two arrays, 16 MB of heap) with no option to size it;
 * one queue per site running made 500 sites 8 GB and killed the watcher (bench/scale). A smaller
 * cache only misses more often, and a miss is a harmless re-submission the queue dedups itself.
 */
export async function smallQueue(config: Configuration): Promise<RequestQueue> {
  const queue = await RequestQueue.open(null, { config });
  type Cache = { size?: unknown; constructor: new (size: number) => Cache };
  const q = queue as unknown as { requestSeenCache?: Cache };
  // made small from the start where the class could be reached (below); else replaced here
  if (typeof q.requestSeenCache?.size === 'number' && q.requestSeenCache.size !== DEDUP_SLOTS) q.requestSeenCache = new q.requestSeenCache.constructor(DEDUP_SLOTS);
  return queue;
}

/**
 * The class sits in a module Crawlee does not export. The bundle sizes its own copy when it is
 * built (scripts/bundle.ts); tsc's build sizes the one in node_modules here. If a Crawlee upgrade
 * moves it, this does nothing and smallQueue still replaces the cache.
 */
function smallDedupCachesFromTheStart(): void {
  if (BUNDLED) return;
  try {
    const require = createRequire(import.meta.url);
    sizeDedupCaches(require(join(dirname(require.resolve('@crawlee/core')), 'storages', 'request_dedup_cache.js')) as Parameters<typeof sizeDedupCaches>[0]);
  } catch {
    // not where 3.18 keeps it: smallQueue replaces each cache after the fact
  }
}
smallDedupCachesFromTheStart();
