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
    this.encoding = encoding;
    if (decoderFor(encoding)) this.decodedFrom = encoding;
    // a small gzip or deflate body is kept whole and decoded in one call when it ends
    this.held = SYNC_CODINGS.has(encoding) ? [] : undefined;
  }

  private readonly encoding: string;
  /**
   * The compressed body while it is small, decoded at its end in one synchronous call: a zlib
   * stream costs each response two trips through the thread pool and back through the event
   * loop, which under a watcher's load is a good part of its time per request (bench/README.md,
   * scale). Past SYNC_DECODE_MAX, or when that one call fails (a broken or oversized body), it
   * goes through the stream, whose partial output and errors are the answer's as before.
   */
  private held: Buffer[] | undefined;
  private heldSize = 0;
  private fail: (err: unknown) => void = () => undefined;

  /** `fail`: the body broke before anything arrived, so there is no answer to keep. */
  start(fail: (err: unknown) => void): void {
    const { res } = this;
    this.fail = fail;
    res.on('data', (chunk: Buffer) => (this.wire += chunk.length));
    if (this.held) {
      res.on('data', (chunk: Buffer) => this.hold(chunk));
      res.on('end', this.onHeldEnd);
    } else this.stream(res, undefined);
    res.on('aborted', () => {
      if (this.truncated) return;
      this.decodeHeldSoFar();
      this.finish('disconnect', { kind: 'reset', message: `connection closed after ${this.size} bytes of body` });
    });
  }

  /** Reads the body from `source` (the response, or its decoder), first writing `held` into the decoder. */
  private stream(res: IncomingMessage, held: Buffer[] | undefined): void {
    const decoder = decoderFor(this.encoding);
    const source: NodeJS.ReadableStream = decoder ?? res;
    source.on('data', (chunk: Buffer) => this.add(chunk));
    source.on('end', () => this.finish(!res.complete && !this.truncated ? 'disconnect' : this.truncated));
    source.on('error', (err: Error) => {
      // a body that broke before anything arrived is a failure, not an answer
      if (this.size === 0 && this.rawHeaders.length === 0) return this.fail(err);
      const kind = classifyNodeError(err);
      this.finish('disconnect', { kind: kind === 'other' ? 'reset' : kind, message: `body broke off after ${this.size} bytes: ${describeNodeError(err)}` });
    });
    if (!decoder) return;
    for (const chunk of held ?? []) decoder.write(chunk);
    if (res.readableEnded) decoder.end();
    else res.pipe(decoder);
  }

  private hold(chunk: Buffer): void {
    if (!this.held) return;
    this.held.push(chunk);
    this.heldSize += chunk.length;
    if (this.heldSize <= SYNC_DECODE_MAX) return;
    // too large to decode in one call: the rest streams through the decoder, the size cap applied as it goes
    const held = this.held;
    this.held = undefined;
    this.res.off('end', this.onHeldEnd);
    this.stream(this.res, held);
  }

  private readonly onHeldEnd = () => this.decodeHeld();

  private decodeHeld(): void {
    const held = this.held;
    if (!held || this.truncated) return;
    this.held = undefined;
    // no body at all (a 304, a HEAD) is not a broken one, whatever its Content-Encoding says
    if (this.heldSize === 0) return this.finish(!this.res.complete ? 'disconnect' : undefined);
    const raw = Buffer.concat(held, this.heldSize);
    let out: Buffer;
    try {
      out = syncDecode(this.encoding, raw, { maxOutputLength: Math.max(1, this.maxBody) });
    } catch {
      // broken, cut short or over the cap: the stream says how, with what it could decode
      this.stream(this.res, [raw]);
      return;
    }
    this.add(out);
    if (!this.truncated) this.finish(!this.res.complete ? 'disconnect' : undefined);
  }

  /** What the held part decodes to so far, when the answer stops before its end (cut or closed). */
  private decodeHeldSoFar(): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    try {
      this.add(syncDecode(this.encoding, Buffer.concat(held, this.heldSize), { maxOutputLength: Math.max(1, this.maxBody), finishFlush: zlib.constants.Z_SYNC_FLUSH }));
    } catch {
      // nothing decodable arrived: the answer keeps no body
    }
  }

  /** Stops reading and keeps what arrived, flagged with why. */
  cut(why: Truncation, error: Failure): void {
    this.decodeHeldSoFar();
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

/** Compressed bodies up to this size are decoded in one call at their end rather than streamed. */
const SYNC_DECODE_MAX = 512 * 1024;
const SYNC_CODINGS = new Set(['gzip', 'x-gzip', 'deflate']);

function syncDecode(encoding: string, raw: Buffer, opts: zlib.ZlibOptions): Buffer {
  return encoding === 'deflate' ? zlib.inflateSync(raw, opts) : zlib.gunzipSync(raw, opts);
}

function decoderFor(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.createGunzip();
  if (encoding === 'deflate') return zlib.createInflate();
  if (encoding === 'br') return zlib.createBrotliDecompress();
  return undefined;
}
