/** Why a fetch produced no usable answer. Each kind decides retry or not (see errors.ts). */
export type FetchErrorKind =
  | 'dns'
  | 'refused'
  | 'reset'
  | 'timeout'
  | 'tls'
  | 'protocol'
  | 'too_large'
  | 'too_many_redirects'
  /** a redirect to this machine or its network from a site that is not there */
  | 'redirect_refused'
  /** a redirect to an unrelated host that the site file does not list (`redirects.hosts`) */
  | 'redirect_offsite'
  /** a name that resolved to this machine or its network, from a site that is not there */
  | 'address_refused'
  | 'http_5xx'
  /** not tried: the site had stopped answering (circuit breaker) */
  | 'skipped'
  /** an anti-bot challenge that was not passed */
  | 'challenge'
  /** the proxy gave no connection to the origin: down, credentials refused, destination refused or unreachable */
  | 'proxy'
  | 'other';

/** One HTTP request and what came back, exactly as it went over the wire (body decoded of gzip/br). */
export interface Exchange {
  /** stable id used for WARC-Record-ID / WARC-Concurrent-To */
  id: string;
  method: string;
  url: string;
  requestHeaders: [string, string][];
  /** the body sent with the request (a POST's), exactly as sent */
  requestBody?: Buffer;
  httpVersion: string;
  startedAt: Date;
  durationMs: number;
  /** the server address actually contacted; unknown (absent) through a proxy, which chose it */
  ip?: string;
  /** the proxy the exchange went through: its URL without credentials, and the address it was reached at */
  proxy?: { url: string; ip?: string };
  response?: {
    status: number;
    statusText: string;
    rawHeaders: [string, string][];
    body: Buffer;
    /** the body stopped short: too large, or the connection broke mid-body */
    truncated?: 'length' | 'disconnect' | 'time';
    /** Content-Encoding that was removed when the body was decoded */
    decodedFrom?: string;
    /** bytes that came over the wire: status line, headers and body (compressed, as sent) */
    wireBytes?: number;
  };
  /** `final`: trying again cannot help (a proxy that refused the credentials) */
  error?: { kind: FetchErrorKind; message: string; final?: boolean };
  /** where a 3xx pointed */
  location?: string;
  /** made by the browser (passing a challenge, rendering) rather than the HTTP client */
  viaBrowser?: boolean;
}

/** What the crawler knows about why it fetched a URL; carried with each exchange to the recorder. */
export interface FetchPurpose {
  siteId: string;
  /** `prior`: an archive's index or replay of a page already gone (schedule/prior.ts) */
  label: 'list' | 'posting' | 'attachment' | 'check' | 'control' | 'requisite' | 'prior';
  /** the posting an attachment belongs to, or the list that linked a posting */
  parentUrl?: string;
}

/** Called for every exchange before its response is processed; the crawl waits for it. */
export type ExchangeSink = (exchange: Exchange, purpose: FetchPurpose | undefined, taskUrl: string | undefined) => Promise<void> | void;

export function headerValue(headers: [string, string][], name: string): string | undefined {
  const n = name.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === n) return v;
  return undefined;
}
