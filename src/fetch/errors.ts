import { NonRetryableError } from '@crawlee/core';
import { ADDRESS_REFUSED } from './address-class.js';
import type { Exchange, FetchErrorKind } from './exchange.js';
import { PROXY_FAILED } from './proxy/proxy-server.js';

const RETRYABLE: ReadonlySet<FetchErrorKind> = new Set(['dns', 'refused', 'reset', 'timeout', 'http_5xx', 'proxy', 'other']);

/** A fetch that failed in a way worth trying again (network trouble, 5xx). */
export class RetryableFetchError extends Error {
  constructor(
    readonly kind: FetchErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'RetryableFetchError';
  }
}

/** A fetch that failed for good: retrying cannot help (too large, protocol error, TLS). */
export class FinalFetchError extends NonRetryableError {
  constructor(
    readonly kind: FetchErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'FinalFetchError';
  }
}

/** `final`: no retry whatever the kind (a proxy that refused the credentials will refuse them again). */
export function fetchError(kind: FetchErrorKind, message: string, final = false): RetryableFetchError | FinalFetchError {
  return RETRYABLE.has(kind) && !final ? new RetryableFetchError(kind, message) : new FinalFetchError(kind, message);
}

/** A socket, DNS, TLS or proxy error as an exchange's `error`. */
export function failureOfNodeError(err: unknown): NonNullable<Exchange['error']> {
  const kind = classifyNodeError(err);
  const final = kind === 'proxy' && (err as { final?: boolean }).final === true;
  return { kind, message: describeNodeError(err), ...(final ? { final } : {}) };
}

export function errorKind(err: unknown): FetchErrorKind {
  if (err instanceof RetryableFetchError || err instanceof FinalFetchError) return err.kind;
  return classifyNodeError(err);
}

/** Maps Node's socket/DNS/TLS error codes to the kinds users see. */
export function classifyNodeError(err: unknown): FetchErrorKind {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const msg = String((err as Error | undefined)?.message ?? err);
  if (code === ADDRESS_REFUSED) return 'address_refused';
  if (code === PROXY_FAILED) return 'proxy';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') return 'dns';
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || /socket hang up/i.test(msg)) return 'reset';
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(msg)) return 'timeout';
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /CERT|certificate|SSL/i.test(code + msg)) return 'tls';
  if (code.startsWith('HPE_') || code === 'ERR_INVALID_HTTP_RESPONSE') return 'protocol';
  return 'other';
}

const PLAIN: Partial<Record<FetchErrorKind, string>> = {
  dns: 'host name could not be resolved',
  refused: 'connection refused',
  reset: 'connection reset by the server',
  timeout: 'timed out',
  tls: 'TLS handshake failed',
  protocol: 'malformed HTTP response',
};

/**
 * A failure described in words. Node's codes (ECONNREFUSED, ECONNRESET) are kept out of the
 * message on purpose: Crawlee reads them as a bad proxy and retries without counting, forever.
 */
export function describeNodeError(err: unknown): string {
  const kind = classifyNodeError(err);
  if (kind === 'address_refused' || kind === 'proxy') return String((err as Error).message); // our own sentence, whole
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const detail = String((err as Error | undefined)?.message ?? err).replace(/\bE[A-Z]{3,}\b/g, '').replace(/\s+/g, ' ').trim();
  const plain = PLAIN[kind];
  return plain ? `${plain}${detail && !/^connect\s*\S*$/.test(detail) ? ` (${detail})` : ''}${code ? ` [${code.toLowerCase()}]` : ''}` : detail;
}
