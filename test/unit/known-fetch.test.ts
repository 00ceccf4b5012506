import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChallengeGate } from '../../src/fetch/challenge-gate.js';
import type { Exchange } from '../../src/fetch/exchange.js';
import type { FailedFetch, FetchedPage, FetchTask } from '../../src/fetch/fetch-task.js';
import { HostGate } from '../../src/fetch/host-gate.js';
import { RecordingHttpClient } from '../../src/fetch/http-client.js';
import { fetchKnown } from '../../src/fetch/known-fetch.js';

/** A site whose pages answer as told: /flaky fails twice with 503, /gone is a 404, /moved redirects. */
let server: http.Server;
let base = '';
const asked: string[] = [];
let flaky = 0;
let inFlight = 0;
let mostInFlight = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    asked.push(req.url!);
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    setTimeout(() => {
      inFlight--;
      if (req.url!.startsWith('/flaky') && flaky++ < 2) return void res.writeHead(503).end('busy');
      if (req.url === '/gone') return void res.writeHead(404).end('not here');
      if (req.url === '/moved') return void res.writeHead(301, { Location: '/p/9' }).end();
      if (req.url === '/etag') return void (req.headers['if-none-match'] === '"v1"' ? res.writeHead(304).end() : res.writeHead(200, { ETag: '"v1"' }).end('v1'));
      res.end(`page ${req.url}`);
    }, 5);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

function setup(opts: { retries?: number; perHost?: number; breakAfter?: number } = {}) {
  const kept: Exchange[] = [];
  const pages: FetchedPage[] = [];
  const failures: FailedFetch[] = [];
  const client = new RecordingHttpClient({
    userAgent: 'xjwatch-test', perHost: opts.perHost ?? 2, delayMs: 0, timeoutMs: 5000, maxBodyBytes: 1 << 20, breakAfter: opts.breakAfter,
    hostGate: new HostGate(opts.perHost ?? 2, 0), sink: (ex) => void kept.push(ex),
  });
  const claimed = new Set<string>();
  const run = (tasks: FetchTask[], onPage: (p: FetchedPage) => FetchTask[] = () => [], stop?: AbortSignal) =>
    fetchKnown(tasks, {
      client, concurrency: opts.perHost ?? 2, retries: opts.retries ?? 3, backoffMs: 1, stop,
      handler: { gate: new ChallengeGate(client.cookies, undefined, undefined), cookiesFor: async () => [], onPage: (p) => (pages.push(p), onPage(p)) },
      onFailure: (f) => void failures.push(f),
      claim: (t) => !claimed.has(t.url) && Boolean(claimed.add(t.url)),
    }).finally(() => client.close());
  return { kept, pages, failures, run };
}

const task = (path: string, headers?: Record<string, string>): FetchTask => ({ url: `${base}${path}`, purpose: { siteId: 't', label: 'check' }, headers });

describe('known URLs are fetched without a discovery queue', () => {
  it('answers every task once, each exchange recorded, the host gate holding the pace', async () => {
    asked.length = 0;
    mostInFlight = 0;
    const s = setup({ perHost: 2 });
    const r = await s.run(Array.from({ length: 12 }, (_, i) => task(`/p/${i}`)));
    expect(r).toEqual({ requests: 12, failed: 0 });
    expect(s.pages.map((p) => p.status)).toEqual(Array(12).fill(200));
    expect(new Set(asked).size).toBe(12);
    expect(s.kept).toHaveLength(12);
    expect(mostInFlight).toBeLessThanOrEqual(2);
  });

  it('retries a 5xx with backoff, hands a 404 and a redirect to the handler, and sends the conditional headers', async () => {
    asked.length = 0;
    flaky = 0;
    const s = setup();
    const r = await s.run([task('/flaky'), task('/gone'), task('/moved'), task('/etag', { 'If-None-Match': '"v1"' })]);
    expect(r.failed).toBe(0);
    expect(asked.filter((u) => u === '/flaky')).toHaveLength(3);
    const byUrl = new Map(s.pages.map((p) => [p.task.url, p]));
    expect(byUrl.get(`${base}/flaky`)?.status).toBe(200);
    expect(byUrl.get(`${base}/gone`)?.status).toBe(404);
    expect(byUrl.get(`${base}/moved`)).toMatchObject({ status: 200, finalUrl: `${base}/p/9` });
    expect(byUrl.get(`${base}/moved`)?.chain).toHaveLength(2);
    expect(byUrl.get(`${base}/etag`)?.status).toBe(304);
  });

  it('gives up after the retries with the failure in words, and a tripped site is not asked again', async () => {
    flaky = -1000; // always 503
    const s = setup({ retries: 1, breakAfter: 3, perHost: 1 });
    asked.length = 0;
    const r = await s.run([task('/flaky'), task('/flaky?2'), task('/flaky?3')]);
    expect(r.failed).toBe(3);
    expect(s.failures[0]).toMatchObject({ kind: 'http_5xx', attempts: 2 });
    expect(s.failures.at(-1)?.kind).toBe('skipped');
    expect(asked.length).toBeLessThan(6);
    flaky = 0;
  });

  it('fetches a follow-up once, and stops taking work when the run stops', async () => {
    asked.length = 0;
    const s = setup({ perHost: 1 });
    const follow = (p: FetchedPage) => (p.task.url.endsWith('/p/a') ? [task('/p/b'), task('/p/a')] : []);
    await s.run([task('/p/a')], follow);
    expect(asked).toEqual(['/p/a', '/p/b']);

    const stop = new AbortController();
    const t = setup({ perHost: 1 });
    asked.length = 0;
    const r = await t.run(Array.from({ length: 20 }, (_, i) => task(`/q/${i}`)), () => (stop.abort(), []), stop.signal);
    expect(r.requests).toBe(1);
    expect(asked).toEqual(['/q/0']);
    expect(t.failures).toEqual([]);
  });
});
