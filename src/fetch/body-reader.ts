import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import zlib from 'node:zlib';
import { classifyNodeError, describeNodeError, failureOfNodeError } from './errors.js';
import type { Exchange } from './exchange.js';

type Answer = NonNullable<Exchange['response']>;
type Failure = NonNullable<Exchange['error']>;
type Truncation = NonNullable<Answer['truncated']>;

export interface ReadLimits {
  /** bytes of decoded body kept; the rest is cut and reported as too_large */
  maxBody: number;
  /** for the whole answer, headers and body */
  timeoutMs: number;
}

/**
 * Fills `ex` with what one request brought back: the server's IP, the status line and headers,
 * the body decompressed and cut at the size limit, and why it stopped short if it did. Resolves
 * once and never rejects: a failure is `ex.error`, so that every attempt can be recorded.
 */
export function readAnswer(req: ClientRequest, ex: Exchange, limits: ReadLimits): Promise<void> {
  return new Promise<void>((resolve) => {
    let settled = false;
    let body: BodyCollector | undefined;
    const settle = (answer: Answer | undefined, error?: Failure) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (answer) ex.response = answer;
      if (error) ex.error = error;
      resolve();
    };
    const fail = (err: unknown) => settle(undefined, failureOfNodeError(err));
    req.on('response', (res: IncomingMessage) => {
      ex.ip = res.socket?.remoteAddress ?? ex.ip;
      ex.httpVersion = res.httpVersion;
      body = new BodyCollector(res, limits.maxBody, settle, () => req.destroy());
      body.start(fail);
    });
    req.on('socket', (socket: Socket) => {
      // a kept-alive socket is already connected; a new one reports its peer on connect
      if (socket.connecting) socket.once('connect', () => (ex.ip = socket.remoteAddress ?? ex.ip));
      else ex.ip = socket.remoteAddress ?? ex.ip;
    });
    req.on('error', fail);
    const timer = setTimeout(() => {
      // headers came, the body did not finish: keep what arrived, as evidence of the attempt
      if (body) body.cut('time', { kind: 'timeout', message: `the body did not finish within ${limits.timeoutMs} ms` });
      else settle(undefined, { kind: 'timeout', message: `no complete answer within ${limits.timeoutMs} ms` });
      req.destroy();
    }, limits.timeoutMs);
  });
}

/** The body of one response as it arrives: decoded of its Content-Encoding, counted as it went over the wire. */
class BodyCollector {
  private readonly rawHeaders: [string, string][] = [];
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private wire: number;
  private truncated: Truncation | undefined;
  private readonly decodedFrom: string | undefined;
  private readonly source: NodeJS.ReadableStream;

  constructor(
    private readonly res: IncomingMessage,
    private readonly maxBody: number,
    private readonly settle: (answer: Answer, error?: Failure) => void,
    private readonly abort: () => void,
  ) {
    for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) this.rawHeaders.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
    // the status line and headers count too: a 304 costs its headers
    this.wire = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage ?? ''}\r\n`.length + this.rawHeaders.reduce((n, [k, v]) => n + k.length + v.length + 4, 2);
    const encoding = (res.headers['content-encoding'] ?? '').toLowerCase().trim();
    const decoder = decoderFor(encoding);
    if (decoder) {
      this.decodedFrom = encoding;
      res.pipe(decoder);
    }
    this.source = decoder ?? res;
  }

  /** `fail`: the body broke before anything arrived, so there is no answer to keep. */
  start(fail: (err: unknown) => void): void {
    const { res, source } = this;
    res.on('data', (chunk: Buffer) => (this.wire += chunk.length));
    source.on('data', (chunk: Buffer) => this.add(chunk));
    source.on('end', () => this.finish(!res.complete && !this.truncated ? 'disconnect' : this.truncated));
    source.on('error', (err: Error) => {
      // a body that broke before anything arrived is a failure, not an answer
      if (this.size === 0 && this.rawHeaders.length === 0) return fail(err);
      const kind = classifyNodeError(err);
      this.finish('disconnect', { kind: kind === 'other' ? 'reset' : kind, message: `body broke off after ${this.size} bytes: ${describeNodeError(err)}` });
    });
    res.on('aborted', () => {
      if (!this.truncated) this.finish('disconnect', { kind: 'reset', message: `connection closed after ${this.size} bytes of body` });
    });
  }

  /** Stops reading and keeps what arrived, flagged with why. */
  cut(why: Truncation, error: Failure): void {
    this.finish(why, error);
  }

  private add(chunk: Buffer): void {
    if (this.truncated) return;
    const room = this.maxBody - this.size;
    if (chunk.length <= room) {
      this.chunks.push(chunk);
      this.size += chunk.length;
      return;
    }
    if (room > 0) this.chunks.push(chunk.subarray(0, room));
    this.size += Math.max(0, room);
    this.finish('length');
    this.abort();
  }

  private finish(truncated: Truncation | undefined, error?: Failure): void {
    this.truncated = truncated;
    const answer: Answer = {
      wireBytes: this.wire,
      status: this.res.statusCode ?? 0,
      statusText: this.res.statusMessage ?? '',
      rawHeaders: this.rawHeaders,
      body: Buffer.concat(this.chunks, this.size),
      ...(truncated ? { truncated } : {}),
      ...(this.decodedFrom ? { decodedFrom: this.decodedFrom } : {}),
    };
    this.settle(answer, truncated === 'length' ? { kind: 'too_large', message: `body larger than ${this.maxBody} bytes; kept the first ${this.size}` } : error);
  }
}

function decoderFor(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.createGunzip();
  if (encoding === 'deflate') return zlib.createInflate();
  if (encoding === 'br') return zlib.createBrotliDecompress();
  return undefined;
}
