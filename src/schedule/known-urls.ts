import type { Catalogue } from '../store/catalogue.js';

/** Which postings and attachments the catalogue already holds, asked once per URL. */
export class KnownUrls {
  private readonly postings: Set<string>;
  private readonly attachments: Set<string>;

  constructor(
    private readonly catalogue: Catalogue,
    siteId: string,
  ) {
    this.postings = catalogue.knownUrls(siteId, 'posting');
    this.attachments = catalogue.knownUrls(siteId, 'attachment');
  }

  /** Known anywhere in the catalogue: a URL may have been captured under another site id before. */
  posting(url: string): boolean {
    if (this.postings.has(url)) return true;
    const p = this.catalogue.page(url);
    if (p && p.kind !== 'list') this.postings.add(url);
    return Boolean(p && p.kind !== 'list');
  }

  attachment(url: string): boolean {
    if (this.attachments.has(url)) return true;
    const p = this.catalogue.page(url);
    if (p?.last_capture_id) this.attachments.add(url);
    return Boolean(p?.last_capture_id);
  }

  captured(postingUrl: string): void {
    this.postings.add(postingUrl);
  }
}
