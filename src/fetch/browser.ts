import { randomUUID } from 'node:crypto';
import { log } from '@crawlee/core';
import type { Cookie as PwCookie, Page, Response as PwResponse } from 'playwright-core';
import { crawlerConfiguration } from './crawlee-config.js';
import { detectChallenge } from './challenge.js';
import { passedCookies } from './passed-cookies.js';
import { CHROMIUM_ARGS, couldNotStart, locateChromium, notFound } from './chromium.js';
import type { Exchange, ExchangeSink, FetchPurpose } from './exchange.js';
import { browserProxyProblem, proxyKey, type ProxyServer } from './proxy/proxy-server.js';

log.setLevel(log.LEVELS.OFF);

export interface BrowserCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  expires?: number;
  httpOnly?: boolean;
  secure?: boolean;
}

export interface BrowserTask {
  url: string;
  purpose: FetchPurpose;
  cookies: BrowserCookie[];
  /** take these pictures of the page once it shows its content */
  screenshot?: boolean;
  pdf?: boolean;
  /** how long to wait for a challenge to clear (default: the fetcher's) */
  challengeTimeoutMs?: number;
  /** serve this body for `url` instead of fetching it (rendering a kept capture) */
  offline?: OfflinePage;
}

/** A kept capture and the requisites recorded with it: all a replay may show. */
export interface OfflinePage {
  body: Buffer;
  contentType: string;
  /** by URL, as recorded (a 404 is served as a 404); a body is read only when the page asks for it */
  requisites?: Map<string, { status: number; contentType: string; body: () => Buffer }>;
}

export interface BrowserResult {
  /** the page got past any challenge and shows its content */
  passed: boolean;
  finalUrl: string;
  /** status of the last answer to the page's own URL */
  status: number;
  /** the DOM as rendered, serialised */
  html: string;
  cookies: BrowserCookie[];
  screenshot?: Buffer;
  pdf?: Buffer;
  /** why it did not pass */
  problem?: string;
  /** no browser could be started in this run: nothing was fetched */
  unavailable?: boolean;
  /** rendering a kept capture: what the page asked for that the capture does not hold, refused */
  refused?: string[];
}

// Chromium starting, and a new page opening, on a machine busy with other work can take far longer
// than Crawlee's 15 s: a time-out there ends the browser path for the run, and a run's pictures go
const LAUNCH_TIMEOUT_MS = 60_000;

export interface BrowserOptions {
  userAgent: string;
  sink: ExchangeSink;
  /** how long to wait for a challenge to clear */
  challengeTimeoutMs: number;
  navigationTimeoutMs: number;
  /** told once, as soon as the browser turns out not to start (with what was tried and the fix) */
  onUnavailable?: (problem: string) => void;
  /** the proxy every page of this browser goes through (Chromium's own proxy support) */
  proxy?: ProxyServer;
  /** where replays of kept captures go instead (a browser without this proxy: see BrowserFetchers) */
  replays?: BrowserFetcher;
}


/**
 * The browser path: Crawlee's PlaywrightCrawler driving the system Chromium, started once per run
 * and kept alive while sites hand it pages. Pages share the browser's one context (a new context
 * per page costs ~300 ms and cookies are kept per host anyway), are given the site's cookies and
 * the HTTP client's User-Agent (challenge cookies are bound to it), and are closed after use;
 * Crawlee retires the browser after 500 pages, restarts a crashed one and retries the page.
 * Everything the browser fetches goes to the recorder, like the HTTP client's exchanges.
 */
export class BrowserFetcher {
  private readonly pending = new Map<string, { resolve: (r: BrowserResult) => void; task: BrowserTask; refused?: string[]; document?: PwResponse }>();
  private crawler: import('@crawlee/playwright').PlaywrightCrawler | undefined;
  private running: Promise<unknown> | undefined;
  /** pages fetched through the browser in this run */
  pages = 0;
  /** why the browser could not start in this run (then every fetch answers at once) */
  unavailable: string | undefined;

  constructor(private readonly opts: BrowserOptions) {}

  async fetch(task: BrowserTask): Promise<BrowserResult> {
    if (task.offline && this.opts.replays) return this.opts.replays.fetch(task);
    await this.ensureStarted();
    if (this.unavailable) return { passed: false, finalUrl: task.url, status: 0, html: '', cookies: [], problem: this.unavailable, unavailable: true };
    const id = randomUUID();
    // the crawl must go on even if Chromium wedges: an answer always comes, late at worst
    const limit = (task.challengeTimeoutMs ?? this.opts.challengeTimeoutMs) + this.opts.navigationTimeoutMs + 30_000;
    let timer: NodeJS.Timeout | undefined;
    const result = new Promise<BrowserResult>((resolve) => {
      this.pending.set(id, { resolve, task });
      timer = setTimeout(() => {
        if (!this.pending.delete(id)) return;
        resolve({ passed: false, finalUrl: task.url, status: 0, html: '', cookies: [], problem: `the browser gave no answer within ${Math.round(limit / 1000)} s` });
      }, limit);
    });
    await this.crawler!.addRequests([{ url: task.url, uniqueKey: id, userData: { id } }]);
    return result.finally(() => clearTimeout(timer));
  }

  async close(): Promise<void> {
    await this.starting?.catch(() => undefined);
    this.starting = undefined;
    if (!this.crawler) return;
    const c = this.crawler;
    this.crawler = undefined;
    await c.teardown().catch(() => undefined);
    await this.running?.catch(() => undefined);
  }

  private starting: Promise<void> | undefined;

  /** No browser in this run: say so once, and answer every page waiting and to come at once. */
  private giveUp(problem: string): void {
    if (this.unavailable) return;
    this.unavailable = problem;
    this.opts.onUnavailable?.(problem);
    for (const [id, { resolve, task }] of this.pending) {
      this.pending.delete(id);
      resolve({ passed: false, finalUrl: task.url, status: 0, html: '', cookies: [], problem, unavailable: true });
    }
  }

  /** One crawler (one Chromium) however many fetches ask for it at once. */
  private ensureStarted(): Promise<void> {
    this.starting ??= this.start();
    return this.starting;
  }

  private async start(): Promise<void> {
    // a browser that is missing or does not start is one message at once, never a time-out per page
    const refused = browserProxyProblem(this.opts.proxy);
    if (refused) return this.giveUp(refused);
    const where = await locateChromium();
    if (!where.path) return this.giveUp(notFound(where));
    const executablePath = where.path;
    const [{ PlaywrightCrawler }, { chromium }] = await Promise.all([import('@crawlee/playwright'), import('playwright-core')]);
    // Crawlee retries a failed launch behind its pool while the pages wait: the first failure
    // is caught here instead, and ends the browser path for this run
    const launcher = Object.create(chromium) as typeof chromium;
    const failed = (e: unknown): never => {
      this.giveUp(couldNotStart(executablePath, e));
      throw e;
    };
    // Crawlee puts Chromium behind a proxy of its own in this process (proxy-chain on 127.0.0.1, for
    // per-context proxies): with a proxy configured, Chromium goes through that one instead. Without
    // one Crawlee's stays: it keeps a replay's preconnects (which no route sees) off the hosts a
    // page names, though it makes the browser's records say 127.0.0.1 for every server
    const proxy = this.opts.proxy;
    const auth = proxy?.auth?.();
    const ownProxy = <T extends { proxy?: unknown }>(o: T | undefined): T =>
      (proxy ? { ...o, proxy: { server: `${proxy.protocol}://${proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host}:${proxy.port}`, ...(auth ? { username: auth.username, password: auth.password } : {}) } } : { ...o }) as T;
    launcher.launch = (o) => chromium.launch(ownProxy(o)).catch(failed);
    launcher.launchPersistentContext = (dir, o) => chromium.launchPersistentContext(dir, ownProxy(o)).catch(failed);
    this.crawler = new PlaywrightCrawler(
      {
        launchContext: {
          launcher,
          useIncognitoPages: false,
          userAgent: this.opts.userAgent,
          // a copy: Crawlee appends to the array it is given
          launchOptions: { headless: true, args: [...CHROMIUM_ARGS], executablePath, timeout: LAUNCH_TIMEOUT_MS, serviceWorkers: 'block' } as object,
        },
        browserPoolOptions: { operationTimeoutSecs: LAUNCH_TIMEOUT_MS / 1000, useFingerprints: false, retireBrowserAfterPageCount: 500, maxOpenPagesPerBrowser: 4, closeInactiveBrowserAfterSecs: 600 },
        keepAlive: true,
        maxConcurrency: 4,
        // pages arrive one by one while the crawler idles: pick each up at once, four at a time
        minConcurrency: 4,
        autoscaledPoolOptions: { desiredConcurrency: 4, maybeRunIntervalSecs: 0.02 },
        maxRequestRetries: 1,
        useSessionPool: false,
        persistCookiesPerSession: false,
        retryOnBlocked: false,
        navigationTimeoutSecs: Math.ceil(this.opts.navigationTimeoutMs / 1000),
        requestHandlerTimeoutSecs: Math.ceil((this.opts.challengeTimeoutMs + this.opts.navigationTimeoutMs) / 1000) + 60,
        statusMessageLoggingInterval: 3600,
        preNavigationHooks: [
          async ({ page, request }, gotoOptions) => {
            const entry = this.pending.get(String(request.userData.id));
            if (!entry) return;
            if (gotoOptions) gotoOptions.waitUntil = 'domcontentloaded';
            if (entry.task.cookies.length) await page.context().addCookies(entry.task.cookies.map(toPlaywright));
            // the latest answer to the page's own document: its cookies are the ones that passed
            page.on('response', (res) => {
              if (res.request().isNavigationRequest() && res.frame() === page.mainFrame()) entry.document = res;
            });
            // a replay is not a new exchange with the site: nothing of it goes to the recorder
            if (entry.task.offline) await replayOnly(page, entry.task.url, entry.task.offline, (entry.refused = []));
            else this.record(page, entry.task.purpose);
          },
        ],
        requestHandler: async ({ page, request }) => {
          const entry = this.pending.get(String(request.userData.id));
          if (!entry) return;
          this.pages++;
          const result = await this.settle(page, entry.task, () => entry.document);
          if (entry.refused) result.refused = [...new Set(entry.refused)];
          this.pending.delete(String(request.userData.id));
          entry.resolve(result);
        },
        failedRequestHandler: async ({ request }, error) => {
          const entry = this.pending.get(String(request.userData.id));
          if (!entry) return;
          this.pending.delete(String(request.userData.id));
          entry.resolve({ passed: false, finalUrl: request.url, status: 0, html: '', cookies: [], problem: `the browser could not load the page: ${error.message.split('\n')[0]}` });
        },
      },
      // no purge: run() purges the queue as it starts, which dropped pages handed over meanwhile
      // (fetches then waited for their time-out); no `ps` every second while the browser is up
      crawlerConfiguration(),
    );
    this.running = this.crawler.run().catch(() => undefined);
  }

  /** Waits until the page is past any challenge and done loading, then reads it. */
  private async settle(page: Page, task: BrowserTask, document: () => PwResponse | undefined): Promise<BrowserResult> {
    const timeout = task.challengeTimeoutMs ?? this.opts.challengeTimeoutMs;
    const deadline = Date.now() + timeout;
    let html = '';
    let status = 0;
    let passed = false;
    for (;;) {
      // a kept capture only needs to finish loading; a live page may still be running a challenge
      await page.waitForLoadState(task.offline ? 'load' : 'networkidle', { timeout: Math.max(500, deadline - Date.now()) }).catch(() => undefined);
      try {
        // a page that reloads itself without end can keep these waiting for a settled document
        const left = Math.max(1000, deadline - Date.now());
        html = await within(page.content(), left);
        status = Number(await within(page.evaluate('(performance.getEntriesByType("navigation")[0] || {}).responseStatus || 0'), left)) || status;
      } catch {
        // the page navigated while being read: the challenge reloading it
      }
      if (html && !detectChallenge(status || 200, html)) {
        passed = true;
        break;
      }
      if (Date.now() > deadline) break;
      await page.waitForTimeout(200);
    }
    const jar = (await within(page.context().cookies(), 10_000).catch(() => [])).map(fromPlaywright);
    const doc = passed ? document() : undefined;
    const [sent, set] = doc ? await within(Promise.all([doc.request().headerValue('cookie'), doc.headerValues('set-cookie')]), 10_000).catch(() => [null, []] as const) : [null, []];
    const result: BrowserResult = { passed, finalUrl: page.url(), status, html, cookies: passedCookies(jar, sent, [...set]) };
    if (!passed) result.problem = `a JavaScript challenge did not clear within ${timeout / 1000} s`;
    if (passed && task.screenshot) result.screenshot = await page.screenshot({ fullPage: true, type: 'png' });
    if (passed && task.pdf) result.pdf = await page.pdf({ format: 'A4', printBackground: true });
    return result;
  }

  /** Hands every response the page receives to the recorder, as the HTTP client does. */
  private record(page: Page, purpose: FetchPurpose): void {
    page.on('response', (res: PwResponse) => {
      void this.exchangeOf(res)
        .then((ex) => ex && this.opts.sink(ex, purpose, res.request().url()))
        .catch(() => undefined);
    });
  }

  private async exchangeOf(res: PwResponse): Promise<Exchange | undefined> {
    const req = res.request();
    if (!/^https?:/.test(req.url())) return undefined;
    const [body, addr, reqHeaders, resHeaders] = await Promise.all([
      res.body().catch(() => Buffer.alloc(0)),
      res.serverAddr().catch(() => null),
      req.headersArray().catch(() => []),
      res.headersArray().catch(() => []),
    ]);
    const timing = req.timing();
    const proxy = this.opts.proxy;
    return {
      id: randomUUID(),
      viaBrowser: true,
      method: req.method(),
      url: req.url(),
      // the proxy's login, which Chromium sends to an HTTP proxy with plain-http requests, is not the origin's business
      requestHeaders: reqHeaders.filter((h) => !/^proxy-authorization$/i.test(h.name)).map((h) => [h.name, h.value] as [string, string]),
      httpVersion: '1.1',
      startedAt: new Date(timing.startTime > 0 ? timing.startTime : Date.now()),
      durationMs: Math.max(0, Math.round(timing.responseEnd)),
      // through a proxy, the address Chromium reports is the proxy's
      ...(proxy ? { proxy: { url: proxy.shown, ...(addr ? { ip: addr.ipAddress } : {}) } } : addr ? { ip: addr.ipAddress } : {}),
      response: {
        status: res.status(),
        statusText: res.statusText(),
        rawHeaders: resHeaders.map((h) => [h.name, h.value] as [string, string]),
        body,
        // Chromium hands over the decoded body; the WARC writer keeps the encoding header as X-Orig-…
        ...(resHeaders.some((h) => /^content-encoding$/i.test(h.name)) ? { decodedFrom: resHeaders.find((h) => /^content-encoding$/i.test(h.name))!.value } : {}),
      },
      ...(res.headers().location ? { location: new URL(res.headers().location!, req.url()).href } : {}),
    };
  }
}

/**
 * A kept capture is a replay: its own recorded bytes for its URL, the requisites recorded with it
 * for theirs, and every other request — frames, scripts, fetches, beacons, WebSockets, anything
 * not recorded — refused inside the browser, so the picture is of what is on record and
 * rendering it tells the site (or anything the page names, internal addresses included) nothing.
 * What was refused is noted with the picture.
 */
async function replayOnly(page: Page, url: string, capture: OfflinePage, refused: string[]): Promise<void> {
  await page.route('**/*', (route) => {
    const req = route.request();
    if (req.url() === url && req.isNavigationRequest() && req.frame() === page.mainFrame()) {
      return route.fulfill({ status: 200, body: capture.body, headers: { 'content-type': capture.contentType } });
    }
    const kept = req.isNavigationRequest() ? undefined : capture.requisites?.get(req.url().replace(/#.*$/, ''));
    if (kept) return route.fulfill({ status: kept.status, body: kept.body(), headers: { 'content-type': kept.contentType } });
    refused.push(req.url());
    // a page that sends itself elsewhere (meta refresh, script) stays where it is: a 204 answer
    // to a navigation leaves the document in place, where an error would replace it
    if (req.isNavigationRequest()) return route.fulfill({ status: 204, body: '' });
    return route.abort('blockedbyclient');
  });
  await page.routeWebSocket(/.*/, (ws) => {
    refused.push(ws.url());
    void ws.close();
  });
}

function toPlaywright(c: BrowserCookie): PwCookie {
  return { name: c.name, value: c.value, domain: c.domain, path: c.path, expires: c.expires ?? -1, httpOnly: Boolean(c.httpOnly), secure: Boolean(c.secure), sameSite: 'Lax' };
}

function fromPlaywright(c: PwCookie): BrowserCookie {
  return { name: c.name, value: c.value, domain: c.domain, path: c.path, ...(c.expires > 0 ? { expires: c.expires } : {}), httpOnly: c.httpOnly, secure: c.secure };
}

/** The promise, or a rejection once `ms` have passed. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the browser within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * The run's browsers: one Chromium per proxy setting (Chromium takes its proxy at launch), started
 * only when a site using that setting needs a browser. Sites going direct, and sites sharing
 * XJWATCH_PROXY, share one browser. Replays of kept captures never need the network and go to the
 * direct browser whatever the site's proxy: a preconnect there reaches Crawlee's local proxy only,
 * where through a configured proxy it could reach the hosts the capture names.
 */
export class BrowserFetchers {
  private readonly lanes = new Map<string, BrowserFetcher>();

  constructor(private readonly opts: Omit<BrowserOptions, 'proxy'>) {}

  via(proxy: ProxyServer | undefined): BrowserFetcher {
    const key = proxyKey(proxy);
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = new BrowserFetcher({ ...this.opts, ...(proxy ? { proxy, replays: this.via(undefined) } : {}) })));
    return lane;
  }

  async close(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((l) => l.close()));
  }
}
