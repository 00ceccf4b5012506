import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { classOfName, guardedLookup, nameRefusal, type AddressClass } from './address-class.js';
import type { BaseHttpClient, HttpRequest, HttpResponse, RedirectHandler, ResponseTypes, StreamingHttpResponse } from '@crawlee/core';
import { CookieJar } from 'tough-cookie';
import { readAnswer } from './body-reader.js';
import { fetchError } from './errors.js';
import type { RecordedAnswer } from './answer-handler.js';
import { headerValue, type Exchange, type ExchangeSink, type FetchPurpose } from './exchange.js';
import type { FetchTask } from './fetch-task.js';
import { HostGate } from './host-gate.js';
import { proxyAgents } from './proxy/agents.js';
import type { ProxyServer } from './proxy/proxy-server.js';
import { offsiteRefusal, type RedirectPolicy } from './redirect-policy.js';

export interface ClientOptions {
  userAgent: string;
  perHost: number;
  delayMs: number;
  timeoutMs: number;
  /** bytes; a longer body is cut and reported as too_large */
  maxBodyBytes: number;
  maxRedirects?: number;
  /** after this many failed requests in a row (network errors, 5xx), stop trying for this crawl */
  breakAfter?: number;
  /** host name -> IP address, used instead of DNS for those hosts */
  resolve?: Record<string, string>;
  /** politeness shared with other crawls running at once (a watcher's sites); else the client's own */
  hostGate?: HostGate;
  /** cookies to start from (and add to): another crawl's of the same site, challenge passes included */
  cookies?: CookieJar;
  /** the site's hosts and where its redirects may go; without it, the host each fetch began on */
  redirects?: RedirectPolicy;
  /** DNS for the names `resolve` does not pin (a test puts a hostile one here) */
  dnsLookup?: Parameters<typeof guardedLookup>[2];
  sink: ExchangeSink;
  /** aborted when the run stops: a request still waiting for its turn is not made */
  stop?: AbortSignal;
  /** every request goes through this proxy (a tunnel per origin), which resolves the names */
  proxy?: ProxyServer;
}

/** Extra fields the crawler passes through Crawlee's request options. */
export interface XjRequestFields {
  xjPurpose?: FetchPurpose;
  xjTaskUrl?: string;
  xjMaxBodyBytes?: number;
  /** the request's body (a POST's: FetchTask.request) */
  xjBody?: string;
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);

/**
 * The HTTP client Crawlee's HttpCrawler fetches through. It exists for evidence, not speed: every
 * request and every redirect hop is handed to the recorder with the raw status line, the headers
 * as sent and received, the body and the server IP, which got-scraping does not expose. It also
 * enforces per-host politeness, a time limit and a body-size limit, and keeps a cookie jar.
 */
export class RecordingHttpClient implements BaseHttpClient {
  readonly cookies: CookieJar;
  private readonly gate: HostGate;
  private readonly agents: { http: http.Agent; https: https.Agent };
  /** the exchange that produced each response stream handed to Crawlee */
  private readonly exchanges = new WeakMap<object, Exchange[]>();
  /** failed requests in a row; past `breakAfter` the site is not asked again in this crawl */
  private failuresInARow = 0;
  private lastFailure = '';
  /** `resolve:` with lower-case names, as URLs carry them */
  private readonly pinned: Record<string, string>;
  /** a socket's lookup per class of site: every address a connection uses is judged there */
  private readonly lookups = new Map<AddressClass, ReturnType<typeof guardedLookup>>();

  get tripped(): boolean {
    return this.opts.breakAfter !== undefined && this.failuresInARow >= this.opts.breakAfter;
  }

  constructor(private readonly opts: ClientOptions) {
    this.gate = opts.hostGate ?? new HostGate(opts.perHost, opts.delayMs);
    // through a proxy, the tunnel must be open in time for the answer to have some of the time limit
    this.agents = opts.proxy
      ? proxyAgents(opts.proxy, Math.max(50, Math.min(15_000, Math.floor(opts.timeoutMs * 0.8))))
      : { http: new http.Agent({ keepAlive: true, maxSockets: 16 }), https: new https.Agent({ keepAlive: true, maxSockets: 16 }) };
    this.cookies = opts.cookies ?? new CookieJar();
    this.pinned = Object.fromEntries(Object.entries(opts.resolve ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  }

  private lookupFor(site: AddressClass): ReturnType<typeof guardedLookup> {
    let l = this.lookups.get(site);
    if (!l) this.lookups.set(site, (l = guardedLookup(site, this.pinned, this.opts.dnsLookup)));
    return l;
  }

  /** The chain of exchanges (redirect hops first) behind a response Crawlee handed to a handler. */
  chainOf(response: object): Exchange[] | undefined {
    return this.exchanges.get(response);
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  async stream(request: HttpRequest, onRedirect?: RedirectHandler): Promise<StreamingHttpResponse> {
    const chain = await this.fetchFollowing(request, onRedirect);
    const body = chain[chain.length - 1]!.response!.body;
    const stream = Readable.from([body]);
    const fields = {
      request,
      ...responseFields(chain),
      downloadProgress: { percent: 1, transferred: body.length, total: body.length },
      uploadProgress: { percent: 1, transferred: 0, total: 0 },
    };
    // Crawlee reads the response's fields off the stream it is given, so the stream is both.
    const out = Object.assign(stream, fields, { stream });
    this.exchanges.set(out, chain);
    return out as unknown as StreamingHttpResponse;
  }

  async sendRequest<T extends keyof ResponseTypes = 'text'>(request: HttpRequest<T>): Promise<HttpResponse<T>> {
    const chain = await this.fetchFollowing(request as HttpRequest);
    const raw = chain[chain.length - 1]!.response!.body;
    const body = request.responseType === 'buffer' ? raw : request.responseType === 'json' ? JSON.parse(raw.toString('utf8')) : raw.toString('utf8');
    return { request: request as HttpRequest<T>, ...responseFields(chain), body } as HttpResponse<T>;
  }

  /** One task fetched outside Crawlee (a known URL), following redirects, every hop recorded. */
  async fetchTask(t: FetchTask): Promise<RecordedAnswer> {
    const fields: XjRequestFields = { xjPurpose: t.purpose, xjMaxBodyBytes: t.maxBodyBytes, xjTaskUrl: t.url, xjBody: t.request?.body };
    const r = t.request;
    const chain = await this.fetchFollowing({ url: r?.url ?? t.url, method: r?.method ?? 'GET', headers: { ...t.headers, ...r?.headers }, ...fields } as unknown as HttpRequest);
    const last = chain[chain.length - 1]!;
    return { finalUrl: last.url, status: last.response!.status, headers: headersObject(last.response!.rawHeaders), chain };
  }

  private async fetchFollowing(request: HttpRequest, onRedirect?: RedirectHandler): Promise<Exchange[]> {
    const fields = request as HttpRequest & XjRequestFields;
    const purpose = fields.xjPurpose;
    const maxBody = fields.xjMaxBodyBytes ?? this.opts.maxBodyBytes;
    const maxRedirects = this.opts.maxRedirects ?? 10;
    let url = String(request.url);
    let method = (request.method ?? 'GET').toUpperCase();
    let body = method === 'POST' ? Buffer.from(fields.xjBody ?? '', 'utf8') : undefined;
    const headers = flattenHeaders(request.headers);
    const chain: Exchange[] = [];
    const start = new URL(String(request.url));
    const policy: RedirectPolicy = this.opts.redirects ?? { siteHosts: [start.hostname], hosts: [] };
    // the site's class decides which addresses it may lead to: its home's, by name
    const site = classOfName(policy.siteHosts[0] ?? start.hostname);
    for (;;) {
      if (this.tripped) {
        throw Object.assign(fetchError('skipped', `not tried: the site failed ${this.failuresInARow} requests in a row (the last: ${this.lastFailure})`), { exchanges: chain });
      }
      const ex = await this.once(method, url, headers, maxBody, site, body);
      chain.push(ex);
      const res = ex.response;
      const location = res && (!ex.error || ex.error.kind === 'too_large') ? headerValue(res.rawHeaders, 'location') : undefined;
      let next: URL | undefined;
      if (res && REDIRECT.has(res.status) && location && request.followRedirect !== false) {
        try {
          next = new URL(location, url);
        } catch {
          // a Location we cannot follow: hand the 3xx itself to the handler
        }
        // only the web is followed: mailto:, file:, ftp: … leave the 3xx to the handler
        if (next && next.protocol !== 'http:' && next.protocol !== 'https:') next = undefined;
      }
      if (next) {
        ex.location = next.href;
        // judged before the exchange is kept, so that its record says why the hop was not made
        const refused = this.hopRefusal(site, policy, start, next);
        if (refused) ex.error = refused;
      }
      const refusedHop = ex.error?.kind === 'redirect_refused' || ex.error?.kind === 'redirect_offsite';
      if ((ex.error && ex.error.kind !== 'too_large' && !refusedHop) || (ex.response?.status ?? 0) >= 500) {
        this.failuresInARow++;
        this.lastFailure = ex.error ? `${ex.error.kind}: ${ex.error.message}` : `HTTP ${ex.response!.status}`;
      } else this.failuresInARow = 0;
      await this.opts.sink(ex, purpose, fields.xjTaskUrl ?? String(request.url));
      // a body cut at the size limit is still an answer: the handler gets it, flagged truncated
      if (ex.error && !(ex.error.kind === 'too_large' && ex.response)) {
        throw Object.assign(fetchError(ex.error.kind, chain.length > 1 ? `${ex.error.message} (at ${url}, after a redirect)` : ex.error.message, ex.error.final), { exchanges: chain });
      }
      await this.storeCookies(url, res!.rawHeaders);
      if (!next) return chain;
      if (chain.length > maxRedirects) {
        throw Object.assign(fetchError('too_many_redirects', `more than ${maxRedirects} redirects`), { exchanges: chain });
      }
      const r = res!;
      if (r.status === 303 || ((r.status === 301 || r.status === 302) && method === 'POST')) [method, body] = ['GET', undefined];
      const updated = { url: next.href, headers: Object.fromEntries(headers) as Record<string, string | string[] | undefined> };
      onRedirect?.(
        { redirectUrls: [], url, ip: ex.ip, statusCode: r.status, statusMessage: r.statusText, headers: headersObject(r.rawHeaders), trailers: {}, complete: true },
        updated,
      );
      url = next.href;
    }
  }

  /**
   * Why a hop is not made, if it is not: first an address this site may not lead to (this machine,
   * its network), then a host the site's settings do not reach.
   */
  private hopRefusal(site: AddressClass, policy: RedirectPolicy, start: URL, next: URL): Exchange['error'] {
    const bad = nameRefusal(site, next.hostname, this.pinned);
    if (bad) return { kind: 'redirect_refused', message: `a redirect to ${next.host} (${bad.ip}, a ${bad.cls} address) from a ${site} site is not followed` };
    const offsite = offsiteRefusal(policy, start, next);
    return offsite ? { kind: 'redirect_offsite', message: offsite } : undefined;
  }

  private async storeCookies(url: string, rawHeaders: [string, string][]): Promise<void> {
    for (const [k, v] of rawHeaders) {
      if (k.toLowerCase() !== 'set-cookie') continue;
      try {
        await this.cookies.setCookie(v, url, { ignoreError: true });
      } catch {
        // a malformed cookie from a server is its problem, not the crawl's
      }
    }
  }

  private async once(method: string, url: string, baseHeaders: [string, string][], maxBody: number, site: AddressClass, body?: Buffer): Promise<Exchange> {
    const u = new URL(url);
    const reqHeaders: [string, string][] = [
      ['Host', u.host],
      ['User-Agent', this.opts.userAgent],
      ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
      ['Accept-Language', 'zh-CN,zh;q=0.9,en;q=0.5'],
      ['Accept-Encoding', 'gzip, deflate, br'],
      ['Connection', 'keep-alive'],
    ];
    for (const [k, v] of baseHeaders) {
      const i = reqHeaders.findIndex(([n]) => n.toLowerCase() === k.toLowerCase());
      if (i >= 0) reqHeaders[i] = [reqHeaders[i]![0], v];
      else reqHeaders.push([k, v]);
    }
    // a body goes with its length, so that the request recorded is the request sent
    if (body) reqHeaders.push(['Content-Length', String(body.length)]);
    const ex: Exchange = { id: randomUUID(), method, url, requestHeaders: reqHeaders, httpVersion: '1.1', startedAt: new Date(), durationMs: 0 };
    if (body) ex.requestBody = body;
    if (this.opts.proxy) ex.proxy = { url: this.opts.proxy.shown };
    // an address literal is never looked up, so it is judged here; names in the socket's lookup
    const bad = nameRefusal(site, u.hostname, this.pinned);
    if (bad) {
      ex.error = { kind: 'address_refused', message: `${u.host} is a ${bad.cls} address, which is not contacted for a ${site} site` };
      return ex;
    }
    const release = await this.gate.acquire(u.host, { perHost: this.opts.perHost, delayMs: this.opts.delayMs });
    if (this.opts.stop?.aborted) {
      release();
      throw fetchError('skipped', 'not tried: the run stopped');
    }
    // the jar as it is when the host's turn comes: a challenge passed while this request waited
    // for it has left cookies that this request must carry (stamped first: the challenge gate
    // tells a request sent with a pass's cookies from one sent before them by this time)
    ex.startedAt = new Date();
    const cookie = await this.cookies.getCookieString(url).catch(() => '');
    if (cookie) reqHeaders.splice(body ? reqHeaders.length - 1 : reqHeaders.length, 0, ['Cookie', cookie]);
    const t0 = performance.now();
    try {
      await this.perform(u, method, reqHeaders, maxBody, ex, site);
    } finally {
      ex.durationMs = Math.round(performance.now() - t0);
      release();
    }
    if (ex.proxy) {
      // the socket's peer is the proxy; which address of the origin's the proxy reached is unknown
      if (ex.ip) ex.proxy.ip = ex.ip;
      delete ex.ip;
    }
    return ex;
  }

  private perform(u: URL, method: string, reqHeaders: [string, string][], maxBody: number, ex: Exchange, site: AddressClass): Promise<void> {
    const isHttps = u.protocol === 'https:';
    const name = u.hostname.replace(/^\[|\]$/g, '');
    // Direct, every address a name resolves to is judged by the lookup. Through a proxy the proxy
    // resolves names (a tunnel is asked for by name), except those `resolve:` pins: the tunnel goes
    // to the pinned address, with the name in Host and SNI.
    const proxied = Boolean(this.opts.proxy);
    const req = (isHttps ? https : http).request({
      method,
      hostname: proxied ? this.pinned[name.toLowerCase()] ?? name : name,
      port: u.port || (isHttps ? 443 : 80),
      path: u.pathname + u.search,
      headers: Object.fromEntries(reqHeaders),
      agent: isHttps ? this.agents.https : this.agents.http,
      // Government sites often serve broken certificate chains; the evidence is the content
      // and the IP, and the certificate problem is recorded rather than fatal.
      rejectUnauthorized: false,
      insecureHTTPParser: true,
      ...(proxied ? {} : { lookup: this.lookupFor(site) }),
    });
    const read = readAnswer(req, ex, { maxBody, timeoutMs: this.opts.timeoutMs });
    req.end(ex.requestBody);
    return read;
  }
}

/** The fields of Crawlee's response that the last answer of a redirect chain fills. */
function responseFields(chain: Exchange[]) {
  const last = chain[chain.length - 1]!;
  const res = last.response!;
  return {
    redirectUrls: chain.slice(0, -1).map((e) => new URL(e.location!)),
    url: last.url,
    ip: last.ip,
    statusCode: res.status,
    statusMessage: res.statusText,
    headers: headersObject(res.rawHeaders),
    trailers: {},
    complete: !res.truncated,
  };
}

function flattenHeaders(h: HttpRequest['headers']): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) out.push([k, x]);
    else out.push([k, v]);
  }
  return out;
}

function headersObject(raw: [string, string][]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of raw) {
    const key = k.toLowerCase();
    const prev = out[key];
    if (prev === undefined) out[key] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[key] = key === 'set-cookie' ? [prev, v] : `${prev}, ${v}`;
  }
  return out;
}
