import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

/**
 * One side of bench/crawl (and bench/recheck), in its own process so that its peak RSS is its own.
 *   xjwatch <site.yaml> <dataDir> [all|none] : one full pass, as `xjwatch crawl` runs it (rechecking
 *     the known postings with `all`), timed without start-up
 *   baseline <urls.json> <concurrency> [dataDir] : a plain undici fetch loop over the same URLs (each
 *     with its Referer, and its ETag as If-None-Match where it has one); with a dataDir, each answer
 *     is also recorded as xjwatch records it (blob, WARC request and response records, fetch row)
 *     and nothing else is done with it: the floor of any recheck that keeps what it fetched
 */
const [mode, a, b, c] = process.argv.slice(2);

if (mode === 'xjwatch') {
  const t0 = performance.now();
  const { loadSiteFile } = await import('../src/config/site-file.js');
  const { loadTermFile } = await import('../src/config/term-file.js');
  const { RunContext } = await import('../src/schedule/run-context.js');
  const { runPass } = await import('../src/schedule/pass.js');
  const { PassProgress } = await import('../src/schedule/progress.js');
  const { userAgent } = await import('../src/cli/common.js');
  const { DEFAULT_TERMS } = await import('../src/cli/term-option.js');
  const startup = performance.now() - t0;
  const site = loadSiteFile(a!);
  const ctx = RunContext.open(b!, 'bench');
  let events = 0;
  const t1 = performance.now();
  const recheck = (c ?? 'none') as 'all' | 'none';
  const outcomes = await runPass(ctx, [site], { terms: loadTermFile(DEFAULT_TERMS), userAgent: userAgent(), allPostings: false, recheck, confirmAfter: 2, emit: () => events++, progress: new PassProgress() });
  const seconds = (performance.now() - t1) / 1000;
  const runId = ctx.runId;
  ctx.finish('ok', {});
  // the catalogue the run wrote: the data directory's file, or XJWATCH_DATABASE_URL's (bench/team)
  const { openDb } = await import('../src/store/db.js');
  const db = openDb(b!, { readonly: true });
  const rows = db.prepare('SELECT url, purpose FROM fetches WHERE run_id = ? ORDER BY id').all(runId) as { url: string; purpose: string }[];
  const bytes = (db.prepare('SELECT coalesce(sum(body_size), 0) AS n FROM fetches WHERE run_id = ?').get(runId) as { n: number }).n;
  const wireBytes = (db.prepare('SELECT coalesce(sum(wire_bytes), 0) AS n FROM fetches WHERE run_id = ?').get(runId) as { n: number }).n;
  const viaBrowser = (db.prepare(`SELECT count(*) AS n FROM fetches WHERE run_id = ? AND via = 'browser'`).get(runId) as { n: number }).n;
  db.close();
  process.stdout.write(
    JSON.stringify({ pages: rows.length, viaBrowser, seconds, bytes, wireBytes, events, failures: outcomes[0]!.failures.length, startupMs: Math.round(startup), maxRssBytes: process.resourceUsage().maxRSS * 1024, urls: rows }) + '\n',
  );
} else if (mode === 'baseline') {
  const urls = JSON.parse(readFileSync(a!, 'utf8')) as { url: string; referer?: string; etag?: string }[];
  const concurrency = Number(b);
  const ctx = c ? (await import('../src/schedule/run-context.js')).RunContext.open(c, 'bench') : undefined;
  const agent = new Agent({ connections: concurrency, pipelining: 1 });
  let next = 0;
  let bytes = 0;
  const t1 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < urls.length) {
        const u = urls[next++]!;
        const headers: [string, string][] = [...(u.referer ? [['referer', u.referer] as [string, string]] : []), ...(u.etag ? [['if-none-match', u.etag] as [string, string]] : [])];
        const startedAt = new Date();
        const res = await request(u.url, { dispatcher: agent, headers: Object.fromEntries(headers) });
        const body = Buffer.from(await res.body.arrayBuffer());
        bytes += body.length;
        if (!ctx) continue;
        const rawHeaders = Object.entries(res.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x] as [string, string]) : v === undefined ? [] : [[k, v] as [string, string]]));
        await ctx.recorder.record(
          { id: randomUUID(), method: 'GET', url: u.url, requestHeaders: headers, httpVersion: '1.1', startedAt, durationMs: Date.now() - startedAt.getTime(), ip: '127.0.0.1', response: { status: res.statusCode, statusText: '', rawHeaders, body, wireBytes: body.length } },
          { siteId: 'county', label: 'check' },
          u.url,
        );
      }
    }),
  );
  ctx?.recorder.flush();
  const seconds = (performance.now() - t1) / 1000;
  ctx?.finish('ok', {});
  await agent.close();
  process.stdout.write(JSON.stringify({ pages: urls.length, seconds, bytes, maxRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n');
} else {
  process.stderr.write('usage: crawl-worker.js xjwatch <site.yaml> <dataDir> [all|none] | baseline <urls.json> <concurrency> [dataDir]\n');
  process.exit(2);
}
