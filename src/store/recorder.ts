import { headerValue, type Exchange, type FetchPurpose } from '../fetch/exchange.js';
import type { BlobStore } from './blobs.js';
import type { Catalogue, FetchInput } from './catalogue.js';
import type { WarcWriter } from './warc-writer.js';

/** Fetch rows written in one transaction at most; a recheck pass asks for no id until its end. */
const ROWS_PER_TRANSACTION = 64;

/**
 * Keeps every exchange: body into the blob store, records into the WARC file, a row into the
 * catalogue pointing at both. Called before the crawler looks at a response, so nothing is
 * processed whose bytes are not already kept. The rows go in batches (one commit each, not one
 * per request); asking for a fetch's id writes the batch first, so nothing is ever written that
 * points at a row not yet there.
 */
export class Recorder {
  private readonly fetchIds = new Map<string, number>();
  private readonly bodyShas = new Map<string, string>();
  private pending: { exchangeId: string; row: FetchInput }[] = [];

  constructor(
    private readonly blobs: BlobStore,
    private readonly warc: WarcWriter,
    private readonly catalogue: Catalogue,
    private readonly runId: number,
  ) {}

  record = async (ex: Exchange, purpose: FetchPurpose | undefined, taskUrl: string | undefined): Promise<void> => {
    const bodySha = ex.response ? await this.blobs.put(ex.response.body) : undefined;
    const loc = await this.warc.writeExchange(ex);
    const main = loc.response ?? loc.metadata ?? loc.request;
    const row: FetchInput = {
      runId: this.runId,
      exchangeId: ex.id,
      siteId: purpose?.siteId,
      purpose: purpose?.label,
      via: ex.viaBrowser ? 'browser' : 'http',
      taskUrl,
      url: ex.url,
      method: ex.method,
      at: ex.startedAt.toISOString(),
      durationMs: ex.durationMs,
      status: ex.response?.status,
      ip: ex.ip,
      contentType: ex.response ? headerValue(ex.response.rawHeaders, 'content-type') : undefined,
      bodySha256: bodySha,
      bodySize: ex.response?.body.length,
      wireBytes: ex.response?.wireBytes,
      truncated: ex.response?.truncated,
      location: ex.location ?? (ex.response ? headerValue(ex.response.rawHeaders, 'location') : undefined),
      errorKind: ex.error?.kind,
      error: ex.error?.message,
      warcFile: main.file,
      warcOffset: main.offset,
      warcLength: main.length,
      requestOffset: loc.request.offset,
      requestLength: loc.request.length,
    };
    if (bodySha) this.bodyShas.set(ex.id, bodySha);
    this.pending.push({ exchangeId: ex.id, row });
    if (this.pending.length >= ROWS_PER_TRANSACTION) this.flush();
  };

  /** Writes the fetch rows not written yet, in one transaction. */
  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const ids = this.catalogue.insertFetches(batch.map((b) => b.row));
    batch.forEach((b, i) => this.fetchIds.set(b.exchangeId, ids[i]!));
  }

  /** SHA-256 of the body of a recorded exchange. */
  bodySha(exchangeId: string): string | undefined {
    return this.bodyShas.get(exchangeId);
  }

  /** Whether the exchange was recorded (its row written or waiting in the batch). */
  recorded(exchangeId: string): boolean {
    return this.fetchIds.has(exchangeId) || this.pending.some((p) => p.exchangeId === exchangeId);
  }

  fetchId(exchangeId: string): number | undefined {
    if (!this.fetchIds.has(exchangeId) && this.pending.length) this.flush();
    return this.fetchIds.get(exchangeId);
  }
}
