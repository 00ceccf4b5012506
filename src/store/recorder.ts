import { headerValue, type Exchange, type FetchPurpose } from '../fetch/exchange.js';
import type { BlobStore } from './blobs.js';
import type { Catalogue } from './catalogue.js';
import type { WarcWriter } from './warc-writer.js';

/**
 * Keeps every exchange: body into the blob store, records into the WARC file, a row into the
 * catalogue pointing at both. Called before the crawler looks at a response, so nothing is
 * processed that is not already kept.
 */
export class Recorder {
  private readonly fetchIds = new Map<string, number>();
  private readonly bodyShas = new Map<string, string>();

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
    const id = this.catalogue.insertFetch({
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
    });
    this.fetchIds.set(ex.id, id);
    if (bodySha) this.bodyShas.set(ex.id, bodySha);
  };

  /** SHA-256 of the body of a recorded exchange. */
  bodySha(exchangeId: string): string | undefined {
    return this.bodyShas.get(exchangeId);
  }

  fetchId(exchangeId: string): number | undefined {
    return this.fetchIds.get(exchangeId);
  }
}
