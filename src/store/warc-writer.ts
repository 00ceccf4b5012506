import { createHash, randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import zlib from 'node:zlib';
import { WARCRecord, WARCSerializer } from 'warcio';
import type { Exchange } from '../fetch/exchange.js';
import type { WriteGate } from './write-failure.js';

export interface ExchangeLocations {
  response?: WarcLocation;
  request: WarcLocation;
  metadata?: WarcLocation;
}

export interface WarcLocation {
  /** path relative to the data directory */
  file: string;
  offset: number;
  length: number;
}

/** SHA-256 and size of a file, read in chunks (WARC files run to a gigabyte). */
export function fileSha256(path: string): { sha256: string; size: number } {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let size = 0;
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; size += n) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest('hex'), size };
}

const ROLLOVER_BYTES = 1024 ** 3;
const SYNC_EVERY = 64;
const encoder = new TextEncoder();

// Headers that describe the bytes on the wire; the record holds the decoded body, so these are
// kept under another name (as web archives do) and readers do not decode twice.
const RENAMED_WHEN_DECODED = new Set(['content-encoding', 'transfer-encoding', 'content-length']);

/**
 * Appends WARC 1.1 records, one gzip member each, to warc/YYYY-MM-DD/<name>-NNNNN.warc.gz.
 * A record is written in one call before its location is returned, so the catalogue only ever
 * points at complete records; a crash can at worst leave a partial record after the last one
 * the catalogue knows. A failed write (a full disk) ends the writing: the offsets after a
 * partial record would be wrong, so nothing more is appended and closing cuts the partial one.
 */
export class WarcWriter {
  private fd: number | undefined;
  private path = '';
  private offset = 0;
  private serial = 0;
  private unsynced = 0;
  /** why writing stopped: a write failed part-way, the file ends in a partial record */
  private broken: unknown;
  /** closed by the run: later records are refused, never written to a new file */
  private sealed = false;

  constructor(
    private readonly dataDir: string,
    private readonly name: string,
    private readonly software: string,
    /** told of each file once it is complete, with its SHA-256, for the custody log */
    private readonly onSealed?: (file: string, sha256: string, size: number) => void,
    /** a run's: a failed write closes it, and no record is written once it is closed */
    private readonly gate?: WriteGate,
    /** a file is sealed once this old, at the next exchange (team storage: teammates read a file only once it is sealed and sent) */
    private readonly sealAfterMs?: number,
  ) {}

  private openedAt = 0;

  private queue: Promise<unknown> = Promise.resolve();

  /** Writes the response (if any), the request and, for a failure, a metadata record, side by side. */
  writeExchange(ex: Exchange, note?: Record<string, string>): Promise<ExchangeLocations> {
    const next = this.queue.then(() => this.write(ex, note));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async write(ex: Exchange, note?: Record<string, string>): Promise<ExchangeLocations> {
    const date = ex.startedAt.toISOString();
    const responseId = `<urn:uuid:${ex.id}>`;
    const requestId = `<urn:uuid:${randomUUID()}>`;
    const out: { response?: WarcLocation; request?: WarcLocation; metadata?: WarcLocation } = {};
    if (ex.response) {
      const res = ex.response;
      const changed = Boolean(res.decodedFrom) || Boolean(res.truncated) || res.rawHeaders.some(([k, v]) => k.toLowerCase() === 'transfer-encoding' && /chunked/i.test(v));
      const headers: [string, string][] = res.rawHeaders.map(([k, v]) => (changed && RENAMED_WHEN_DECODED.has(k.toLowerCase()) ? [`X-Orig-${k}`, v] : [k, v]));
      if (changed) headers.push(['Content-Length', String(res.body.length)]);
      const warcHeaders: Record<string, string> = { 'WARC-Record-ID': responseId, 'WARC-Concurrent-To': requestId };
      if (ex.ip) warcHeaders['WARC-IP-Address'] = ex.ip;
      Object.assign(warcHeaders, proxyHeaders(ex));
      if (res.truncated) warcHeaders['WARC-Truncated'] = res.truncated;
      out.response = await this.append(
        true,
        WARCRecord.create(
          { url: ex.url, date, type: 'response', warcVersion: 'WARC/1.1', keepHeadersCase: true, statusline: `HTTP/${ex.httpVersion} ${res.status} ${res.statusText}`.trimEnd(), httpHeaders: headers, warcHeaders },
          [res.body],
        ),
        res.body,
      );
    }
    const u = new URL(ex.url);
    const reqHeaders: Record<string, string> = { 'WARC-Record-ID': requestId, 'WARC-Concurrent-To': responseId };
    if (ex.ip) reqHeaders['WARC-IP-Address'] = ex.ip;
    Object.assign(reqHeaders, proxyHeaders(ex));
    out.request = await this.append(
      !out.response,
      WARCRecord.create(
        { url: ex.url, date, type: 'request', warcVersion: 'WARC/1.1', keepHeadersCase: true, statusline: `${ex.method} ${u.pathname}${u.search} HTTP/${ex.httpVersion === '1.0' ? '1.0' : '1.1'}`, httpHeaders: ex.requestHeaders, warcHeaders: reqHeaders },
        // a POST's body is part of what was asked: a JSON API's list page is named by it
        ex.requestBody ? [ex.requestBody] : [],
      ),
      ex.requestBody ?? new Uint8Array(),
    );
    if (ex.error || note) {
      const fields = {
        ...(ex.error ? { 'fetch-error': ex.error.kind, 'fetch-error-message': ex.error.message } : {}),
        'duration-ms': String(ex.durationMs),
        ...(ex.proxy ? { 'via-proxy': ex.proxy.url } : {}),
        ...note,
      };
      const body = encoder.encode(Object.entries(fields).map(([k, v]) => `${k}: ${v.replace(/[\r\n]+/g, ' ')}\r\n`).join(''));
      out.metadata = await this.append(
        false,
        WARCRecord.create(
          { url: ex.url, date, type: 'metadata', warcVersion: 'WARC/1.1', warcHeaders: { 'Content-Type': 'application/warc-fields', 'WARC-Concurrent-To': ex.response ? responseId : requestId } },
          [body],
        ),
        body,
      );
    }
    return out as ExchangeLocations;
  }

  /**
   * Flushes, closes and seals the file. After a failed write it first cuts the partial record
   * the failure left (cutting frees space rather than using it), so what is sealed is whole
   * records; if even that fails, the file is left unsealed, as a kill -9 leaves one, and verify
   * reads the records the catalogue names one by one.
   */
  close(): void {
    this.sealed = true;
    this.closeFile();
  }

  private closeFile(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    let whole = true;
    try {
      if (this.broken !== undefined) {
        try {
          ftruncateSync(fd, this.offset);
          fsyncSync(fd);
        } catch {
          whole = false; // the failing disk's next error is not the news
        }
      } else fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (this.onSealed && whole) {
      const { sha256, size } = fileSha256(this.path);
      this.onSealed(relative(this.dataDir, this.path), sha256, size);
    }
  }

  /**
   * `first`: the exchange's first record, the only one that may start a new file: a fetch row
   * names one file for its response, request and metadata records.
   */
  private async append(first: boolean, record: WARCRecord, payload: Uint8Array): Promise<WarcLocation> {
    // Digests with Node's native SHA-256 over exactly the bytes warcio will write (hex, so that
    // they compare directly with `sha256sum`); warcio then skips its own, much slower, hashing.
    const type = record.warcType;
    if (type === 'response' || type === 'request') {
      const head = encoder.encode(record.httpHeaders!.toString() + '\r\n');
      record.warcHeaders.headers.set('WARC-Payload-Digest', `sha256:${createHash('sha256').update(payload).digest('hex')}`);
      record.warcHeaders.headers.set('WARC-Block-Digest', `sha256:${createHash('sha256').update(head).update(payload).digest('hex')}`);
    } else {
      record.warcHeaders.headers.set('WARC-Block-Digest', `sha256:${createHash('sha256').update(payload).digest('hex')}`);
    }
    const raw = await WARCSerializer.serialize(record, { gzip: false });
    const gz = zlib.gzipSync(raw);
    // only the file's own operations can break the writer (a record a server made odd cannot)
    if (this.broken !== undefined) throw this.gate?.failure ?? this.broken;
    // a record after the run's close would open a file no catalogue row names: refused instead
    if (this.sealed) throw new Error('the run\'s WARC file is already sealed: nothing more is recorded in this run');
    this.gate?.check();
    try {
      if (this.fd === undefined || (first && (this.offset > ROLLOVER_BYTES || (this.sealAfterMs !== undefined && Date.now() - this.openedAt >= this.sealAfterMs)))) await this.rotate();
      return this.writeMember(gz);
    } catch (e) {
      this.broken = e;
      throw this.gate ? this.gate.failed(e, 'the WARC file') : e;
    }
  }

  private writeMember(gz: Buffer): WarcLocation {
    const at = this.offset;
    let off = 0;
    while (off < gz.length) off += writeSync(this.fd!, gz, off, gz.length - off);
    this.offset += gz.length;
    if (++this.unsynced >= SYNC_EVERY) {
      fsyncSync(this.fd!);
      this.unsynced = 0;
    }
    return { file: relative(this.dataDir, this.path), offset: at, length: gz.length };
  }

  /** Starts a new file with its warcinfo record first. */
  private async rotate(): Promise<void> {
    this.closeFile();
    const now = new Date();
    const dir = join(this.dataDir, 'warc', now.toISOString().slice(0, 10));
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `${this.name}-${String(this.serial++).padStart(5, '0')}.warc.gz`);
    this.fd = openSync(this.path, 'a');
    this.openedAt = Date.now();
    this.offset = statSync(this.path).size;
    const info = WARCRecord.createWARCInfo(
      { filename: basename(this.path), warcVersion: 'WARC/1.1', date: now.toISOString() },
      { software: this.software, format: 'WARC File Format 1.1', conformsTo: 'https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/' },
    );
    const raw = await WARCSerializer.serialize(info, { gzip: false, digest: { algo: 'sha-256', prefix: 'sha256:', base32: false } });
    this.writeMember(zlib.gzipSync(raw));
  }
}

/**
 * Through a proxy, the address the origin was reached at is the proxy's choice and unknown here, so
 * there is no WARC-IP-Address; these say instead which proxy carried the exchange (its URL without
 * credentials) and the address this machine reached the proxy at. Extension fields (WARC 1.1 §4
 * allows them); a reader that does not know them skips them.
 */
function proxyHeaders(ex: Exchange): Record<string, string> {
  if (!ex.proxy) return {};
  return { 'XJ-Via-Proxy': ex.proxy.url, ...(ex.proxy.ip ? { 'XJ-Proxy-IP-Address': ex.proxy.ip } : {}) };
}
