import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { WARCParser } from 'warcio';
import { sha256Hex } from '../../src/store/blobs.js';
import { fileSha256, WarcWriter } from '../../src/store/warc-writer.js';
import type { Exchange } from '../../src/fetch/exchange.js';
import { tempDir } from '../helpers/cli.js';

async function records(file: string) {
  const out = [];
  for await (const r of new WARCParser([gunzipSync(readFileSync(file))])) {
    const headers: Record<string, string> = {};
    for (const name of ['WARC-IP-Address', 'WARC-Target-URI', 'WARC-Payload-Digest', 'WARC-Concurrent-To', 'WARC-Record-ID', 'WARC-Truncated']) headers[name] = r.warcHeader(name) ?? '';
    out.push({ type: r.warcType, headers, body: Buffer.from(await r.readFully(false)) });
  }
  return out;
}

const exchange = (over: Partial<Exchange> = {}): Exchange => ({
  id: '00000000-0000-4000-8000-000000000001',
  method: 'GET',
  url: 'http://127.0.0.1:8080/info/1103/3101.htm',
  requestHeaders: [['Host', '127.0.0.1:8080'], ['User-Agent', 'xjwatch/test']],
  httpVersion: '1.1',
  startedAt: new Date('2019-03-21T02:00:00Z'),
  durationMs: 12,
  ip: '127.0.0.1',
  response: { status: 200, statusText: 'OK', rawHeaders: [['Content-Type', 'text/html'], ['Content-Encoding', 'gzip'], ['Transfer-Encoding', 'chunked']], body: Buffer.from('<p>卫星工厂</p>'), decodedFrom: 'gzip' },
  ...over,
});

describe('WARC writer', () => {
  it('writes WARC/1.1 response and request records with IP, hex SHA-256 digests, and the decoded body', async () => {
    const dir = tempDir();
    const w = new WarcWriter(dir, 'test', 'xjwatch/test');
    const loc = await w.writeExchange(exchange());
    w.close();
    const recs = await records(join(dir, loc.request.file));
    expect(recs.map((r) => r.type)).toEqual(['warcinfo', 'response', 'request']);
    const res = recs[1]!;
    expect(res.headers['WARC-IP-Address']).toBe('127.0.0.1');
    expect(res.headers['WARC-Target-URI']).toBe('http://127.0.0.1:8080/info/1103/3101.htm');
    expect(res.headers['WARC-Payload-Digest']).toBe(`sha256:${sha256Hex(Buffer.from('<p>卫星工厂</p>'))}`);
    expect(res.headers['WARC-Concurrent-To']).toBe(recs[2]!.headers['WARC-Record-ID']);
    const raw = readFileSync(join(dir, loc.request.file));
    expect(gunzipSync(raw).toString('latin1')).toMatch(/^WARC\/1\.1\r\n/);
    // the body was stored decoded: the encoding headers are kept under other names
    const resText = gunzipSync(raw.subarray(loc.response!.offset, loc.response!.offset + loc.response!.length)).toString('utf8');
    expect(resText).toContain('X-Orig-Content-Encoding: gzip');
    expect(resText).toContain('X-Orig-Transfer-Encoding: chunked');
    expect(resText).toContain(`\r\nContent-Length: ${Buffer.byteLength("<p>卫星工厂</p>")}\r\n`);
  });

  it('marks a body cut at the size limit, and describes a failure in a metadata record', async () => {
    const dir = tempDir();
    const w = new WarcWriter(dir, 'test', 'xjwatch/test');
    const cut = await w.writeExchange(exchange({ response: { status: 200, statusText: 'OK', rawHeaders: [], body: Buffer.alloc(10), truncated: 'length' }, error: { kind: 'too_large', message: 'body larger than 10 bytes' } }));
    const failed = await w.writeExchange(exchange({ id: '00000000-0000-4000-8000-000000000002', response: undefined, error: { kind: 'refused', message: 'connection refused' } }));
    w.close();
    const recs = await records(join(dir, cut.request.file));
    expect(recs.find((r) => r.type === 'response')!.headers['WARC-Truncated']).toBe('length');
    const metas = recs.filter((r) => r.type === 'metadata').map((r) => r.body.toString());
    expect(metas[0]).toContain('fetch-error: too_large');
    expect(metas[1]).toContain('fetch-error: refused');
    expect(failed.response).toBeUndefined();
  });

  it('seals a file once it is older than asked, at the next exchange: its records never split across files', async () => {
    const dir = tempDir();
    const sealed: { file: string; sha256: string; size: number }[] = [];
    const w = new WarcWriter(dir, 'test', 'xjwatch/test', (file, sha256, size) => sealed.push({ file, sha256, size }), undefined, 40);
    const a = await w.writeExchange(exchange());
    const b = await w.writeExchange(exchange({ id: '00000000-0000-4000-8000-000000000002' }));
    expect(b.request.file).toBe(a.request.file); // young enough: the same file
    expect(sealed).toEqual([]);
    await new Promise((r) => setTimeout(r, 60));
    const c = await w.writeExchange(exchange({ id: '00000000-0000-4000-8000-000000000003', error: { kind: 'refused', message: 'ECONNREFUSED' }, response: undefined }));
    // the old file sealed whole, with the hash and size a verifier will find
    expect(sealed).toEqual([{ file: a.request.file, ...fileSha256(join(dir, a.request.file)) }]);
    expect(c.request.file).not.toBe(a.request.file);
    expect(c.metadata!.file).toBe(c.request.file);
    expect((await records(join(dir, a.request.file))).map((r) => r.type)).toEqual(['warcinfo', 'response', 'request', 'response', 'request']);
    expect((await records(join(dir, c.request.file))).map((r) => r.type)).toEqual(['warcinfo', 'request', 'metadata']);
    // sealing every exchange's file at once still keeps each exchange's records in one file
    const every = new WarcWriter(tempDir(), 'test', 'xjwatch/test', undefined, undefined, 0);
    const d = await every.writeExchange(exchange({ error: { kind: 'too_large', message: 'cut' } }));
    const e = await every.writeExchange(exchange({ id: '00000000-0000-4000-8000-000000000004' }));
    expect(new Set([d.response!.file, d.request.file, d.metadata!.file]).size).toBe(1);
    expect(e.response!.file).toBe(e.request.file);
    expect(e.request.file).not.toBe(d.request.file);
    w.close();
    every.close();
    expect(sealed).toHaveLength(2);
  });
});
