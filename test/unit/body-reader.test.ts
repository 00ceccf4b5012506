import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAnswer } from '../../src/fetch/body-reader.js';
import type { Exchange } from '../../src/fetch/exchange.js';

const text = Buffer.from('<p>卫星工厂 扶贫车间</p>'.repeat(200));
const random = randomBytes(900 * 1024); // incompressible: its gzip is larger than a body decoded in one call
const gz = zlib.gzipSync(text);

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const send = (headers: http.OutgoingHttpHeaders, body?: Buffer) => {
      res.writeHead(req.url === '/not-modified' ? 304 : 200, headers);
      res.end(body);
    };
    switch (req.url) {
      case '/gzip':
        return send({ 'Content-Encoding': 'gzip' }, gz);
      case '/gzip-slow': {
        // the compressed body in three writes, apart in time
        res.writeHead(200, { 'Content-Encoding': 'gzip' });
        const third = Math.ceil(gz.length / 3);
        res.write(gz.subarray(0, third));
        setTimeout(() => res.write(gz.subarray(third, 2 * third)), 30);
        setTimeout(() => res.end(gz.subarray(2 * third)), 60);
        return;
      }
      case '/deflate':
        return send({ 'Content-Encoding': 'deflate' }, zlib.deflateSync(text));
      case '/large':
        return send({ 'Content-Encoding': 'gzip' }, zlib.gzipSync(random));
      case '/bomb':
        return send({ 'Content-Encoding': 'gzip' }, zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024)));
      case '/corrupt':
        return send({ 'Content-Encoding': 'gzip' }, Buffer.concat([gz.subarray(0, 10), Buffer.from('this is not deflate data at all, not at all')]));
      case '/not-modified':
        return send({ 'Content-Encoding': 'gzip', ETag: '"x"' });
      case '/cut': {
        // half the compressed body, then the connection drops
        res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': String(gz.length) });
        res.write(gz.subarray(0, Math.floor(gz.length / 2)));
        setTimeout(() => res.socket?.destroy(), 30);
        return;
      }
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function fetchAnswer(path: string, maxBody = 8 * 1024 * 1024): Promise<Exchange> {
  const ex = { id: 'x', method: 'GET', url: base + path, requestHeaders: [], httpVersion: '1.1', startedAt: new Date(), durationMs: 0 } as Exchange;
  const req = http.request(base + path, { agent: false });
  const done = readAnswer(req, ex, { maxBody, timeoutMs: 10_000 });
  req.end();
  await done;
  return ex;
}

describe('a compressed answer read by the recording client', () => {
  it('is decoded whole, small or arriving in parts, gzip or deflate; the wire count is the compressed size', async () => {
    for (const path of ['/gzip', '/gzip-slow', '/deflate']) {
      const ex = await fetchAnswer(path);
      expect(ex.error, path).toBeUndefined();
      expect(ex.response!.body.equals(text), path).toBe(true);
      expect(ex.response!.decodedFrom).toBe(path === '/deflate' ? 'deflate' : 'gzip');
      expect(ex.response!.truncated).toBeUndefined();
    }
    const ex = await fetchAnswer('/gzip');
    expect(ex.response!.wireBytes).toBeGreaterThanOrEqual(gz.length);
    expect(ex.response!.wireBytes).toBeLessThan(gz.length + 400);
  });

  it('is decoded whole when it is too large to decode in one call', async () => {
    const ex = await fetchAnswer('/large');
    expect(ex.error).toBeUndefined();
    expect(ex.response!.body.equals(random)).toBe(true);
  });

  it('a bomb is cut at the size limit, the first bytes kept and the answer flagged too large', async () => {
    const ex = await fetchAnswer('/bomb', 1024 * 1024);
    expect(ex.response!.truncated).toBe('length');
    expect(ex.response!.body.length).toBe(1024 * 1024);
    expect(ex.error).toMatchObject({ kind: 'too_large' });
  });

  it('a broken one is kept with what could be read, and says it broke off', async () => {
    const ex = await fetchAnswer('/corrupt');
    expect(ex.response).toBeDefined();
    expect(ex.response!.truncated).toBe('disconnect');
    expect(ex.error?.message).toMatch(/^body broke off after 0 bytes/);
  });

  it('one whose connection drops half-way keeps the part that decodes, flagged as cut off', async () => {
    const ex = await fetchAnswer('/cut');
    expect(ex.response!.truncated).toBe('disconnect');
    expect(ex.error).toBeDefined();
    const body = ex.response!.body;
    expect(body.length).toBeGreaterThan(0);
    expect(body.length).toBeLessThan(text.length);
    expect(text.subarray(0, body.length).equals(body)).toBe(true);
  });

  it('no body (a 304) is not a broken one, whatever its Content-Encoding', async () => {
    const ex = await fetchAnswer('/not-modified');
    expect(ex.error).toBeUndefined();
    expect(ex.response).toMatchObject({ status: 304 });
    expect(ex.response!.body.length).toBe(0);
    expect(ex.response!.truncated).toBeUndefined();
  });
});
