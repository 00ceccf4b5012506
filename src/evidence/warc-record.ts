import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import zlib from 'node:zlib';

/** One WARC record read back from its own gzip member: headers, block, and whether its digests hold. */
export interface ReadRecord {
  headers: Map<string, string>;
  block: Buffer;
  /** what is wrong with it, if anything */
  problem?: string;
}

/** Reads `length` bytes at `offset` of a file. */
export function readSlice(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return got === length ? buf : buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * Parses a gzip member holding one WARC record and re-computes its digests; independent of the
 * library that wrote it, so a checker does not trust the writer.
 */
export function parseRecord(member: Buffer): ReadRecord {
  let raw: Buffer;
  try {
    raw = zlib.gunzipSync(member);
  } catch (err) {
    return { headers: new Map(), block: Buffer.alloc(0), problem: `not a whole gzip member: ${(err as Error).message}` };
  }
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0 || !raw.subarray(0, 9).toString('latin1').startsWith('WARC/')) return { headers: new Map(), block: Buffer.alloc(0), problem: 'no WARC header' };
  const headers = new Map<string, string>();
  for (const line of raw.subarray(0, end).toString('utf8').split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  const length = Number(headers.get('content-length'));
  const block = raw.subarray(end + 4, end + 4 + length);
  if (!Number.isFinite(length) || block.length !== length) return { headers, block, problem: `block is ${block.length} bytes, Content-Length says ${headers.get('content-length')}` };
  const blockDigest = headers.get('warc-block-digest');
  if (blockDigest && blockDigest.startsWith('sha256:') && blockDigest !== sha(block)) return { headers, block, problem: `WARC-Block-Digest ${blockDigest} does not match the block (${sha(block)})` };
  const payloadDigest = headers.get('warc-payload-digest');
  if (payloadDigest && payloadDigest.startsWith('sha256:')) {
    const head = block.indexOf('\r\n\r\n');
    const payload = head >= 0 ? block.subarray(head + 4) : Buffer.alloc(0);
    if (payloadDigest !== sha(payload)) return { headers, block, problem: `WARC-Payload-Digest ${payloadDigest} does not match the payload (${sha(payload)})` };
  }
  return { headers, block };
}
