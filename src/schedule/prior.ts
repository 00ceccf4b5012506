import { isLoopbackHost } from '../config/site-file.js';
import type { Site } from '../config/site-file.js';
import { cdxTime, earliestGood, parseCdx } from '../extract/cdx.js';
import type { Exchange } from '../fetch/exchange.js';
import { RecordingHttpClient } from '../fetch/http-client.js';
import type { PageReader } from './page-reader.js';
import type { RunContext } from './run-context.js';
import { NOT_LISTED, type PassPage } from './task-data.js';

/** Asking an archive for prior captures (settings `prior:`; off unless asked for). */
export interface PriorOptions {
  /** the Wayback Machine's base URL (XJWATCH_WAYBACK_URL in tests: a local imitation) */
  wayback: string;
}

/** `prior: { wayback: true }` in settings (or `check --prior`) turns it on; the base URL from the environment. */
export function priorOptions(on: boolean, env: NodeJS.ProcessEnv = process.env): PriorOptions | undefined {
  return on ? { wayback: (env.XJWATCH_WAYBACK_URL || 'https://web.archive.org').replace(/\/+$/, '') } : undefined;
}

export type PriorResult = { url: string; captureId: number; archivedAt: string; archiveUrl: string } | { url: string; problem: string };

/**
 * Prior captures of pages already gone when xjwatch first asked for them: the Wayback Machine's
 * index (CDX) is asked which captures it holds, the earliest that answered 200 is fetched as it was
 * archived (`/web/<timestamp>id_/<original>`: the original bytes, without the archive's banner),
 * and read like any posting. Both exchanges go through the recording client, so they are in the
 * WARC with the archive's IP, as every exchange is. The capture is kept marked third-party (schema
 * step 7): where it came from and when the archive saw the page, never taken for xjwatch's own.
 * Telling the archive which pages one looks at is why this is opt-in. Whatever the archive answers
 * (down, junk, nothing held) is a problem note: never a failed run.
 */
export class PriorCaptures {
  constructor(
    private readonly site: Site,
    private readonly ctx: RunContext,
    private readonly reader: PageReader,
    private readonly opts: PriorOptions,
    private readonly userAgent: string,
  ) {}

  async fetch(url: string): Promise<PriorResult> {
    const base = this.opts.wayback;
    const host = new URL(base).hostname;
    // every exchange is recorded as made for the page, so `history <URL>` and bundles find them
    const client = new RecordingHttpClient({
      userAgent: this.userAgent,
      perHost: 1,
      delayMs: isLoopbackHost(host) ? 0 : 1000,
      timeoutMs: this.site.timeoutMs,
      maxBodyBytes: Math.round(this.site.maxBodyMB * 1024 * 1024),
      redirects: { siteHosts: [host], hosts: [] },
      sink: (ex, purpose) => this.ctx.recorder.record(ex, purpose, url),
      stop: this.ctx.signal,
    });
    const purpose = { siteId: this.site.id, label: 'prior' as const };
    try {
      const cdxUrl = `${base}/cdx/search/cdx?${new URLSearchParams({ url, output: 'json', fl: 'timestamp,original,statuscode,digest' })}`;
      const index = await answerOf(client, cdxUrl, purpose);
      if ('problem' in index) return { url, problem: `the Internet Archive's index could not be read: ${index.problem}` };
      if (index.status !== 200) return { url, problem: `the Internet Archive's index answered HTTP ${index.status}` };
      const parsed = parseCdx(index.body.toString('utf8'));
      if ('problem' in parsed) return { url, problem: `the Internet Archive's index: ${parsed.problem}` };
      const pick = earliestGood(parsed.rows);
      if (!pick) return { url, problem: `the Internet Archive holds no capture of it that answered 200 (${parsed.rows.length} capture(s) listed)` };
      const lookupFetchId = this.ctx.recorder.fetchId(index.chain.at(-1)!.id);
      const archiveUrl = `${base}/web/${pick.timestamp}id_/${pick.original}`;
      const copy = await answerOf(client, archiveUrl, purpose);
      if ('problem' in copy) return { url, problem: `the Internet Archive's copy of ${pick.timestamp} could not be fetched: ${copy.problem}` };
      if (copy.status !== 200) return { url, problem: `the Internet Archive's copy of ${pick.timestamp} answered HTTP ${copy.status}` };
      const page: PassPage = { task: { url, purpose: { siteId: this.site.id, label: 'posting' }, data: NOT_LISTED }, finalUrl: pick.original, status: copy.status, headers: copy.headers, body: copy.body, chain: copy.chain };
      const read = await this.reader.readPosting(page);
      const archivedAt = cdxTime(pick.timestamp);
      const capture = {
        ...read.capture,
        problems: [...read.capture.problems, `third-party capture: the Internet Archive's copy of ${archivedAt}, fetched by xjwatch from ${archiveUrl}`],
        thirdParty: { archive: 'Internet Archive (Wayback Machine)', archiveUrl, archivedAt, originalUrl: pick.original, archiveStatus: Number(pick.statuscode), digest: pick.digest || undefined, lookupFetchId },
      };
      const saved = this.ctx.catalogue.transaction(() => this.ctx.catalogue.saveCapture(capture));
      return { url, captureId: saved.captureId, archivedAt, archiveUrl };
    } catch (err) {
      return { url, problem: `asking the Internet Archive failed: ${(err as Error).message}` };
    } finally {
      client.close();
    }
  }
}

type Answer = { status: number; headers: PassPage['headers']; body: Buffer; chain: Exchange[] };

/** One recorded GET, redirects followed within the archive; a network failure as a sentence. */
async function answerOf(client: RecordingHttpClient, url: string, purpose: PassPage['task']['purpose']): Promise<Answer | { problem: string }> {
  try {
    const a = await client.fetchTask({ url, purpose });
    const last = a.chain.at(-1)!;
    return { status: a.status, headers: a.headers, body: last.response?.body ?? Buffer.alloc(0), chain: a.chain };
  } catch (err) {
    const e = err as Error & { kind?: string };
    return { problem: `${e.kind ? `${e.kind}: ` : ''}${e.message}` };
  }
}
