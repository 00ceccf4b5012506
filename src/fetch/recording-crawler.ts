import { SessionError, type Request, type Session } from '@crawlee/core';
import { HttpCrawler, type HttpCrawlingContext, type PlainResponse } from '@crawlee/http';

type RequestOptions = Parameters<HttpCrawler<HttpCrawlingContext>['_getRequestOptions']>;

/**
 * Crawlee's HttpCrawler without the one import its request step makes for nothing here:
 * `_requestFunction` loads got-scraping on the first request only to recognise got's
 * TimeoutError, and loading it builds header-generator's Bayesian network (~170 ms of CPU at the
 * start of every crawl and check). RecordingHttpClient enforces its own time limit and never
 * throws that error; everything else is Crawlee's own step.
 */
export class RecordingCrawler extends HttpCrawler<HttpCrawlingContext> {
  protected override async _requestFunction(o: { request: Request; session?: Session; proxyUrl?: string; gotOptions: RequestOptions[3] }): Promise<PlainResponse> {
    const opts = this._getRequestOptions(o.request, o.session, o.proxyUrl, o.gotOptions);
    try {
      return await (this as unknown as { _requestAsBrowser(opts: unknown, session?: Session): Promise<PlainResponse> })._requestAsBrowser(opts, o.session);
    } catch (e) {
      if (this.isProxyError(e as Error)) throw new SessionError(this._getMessageFromError(e as Error) as string);
      throw e;
    }
  }
}
