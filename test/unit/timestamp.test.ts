import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRequest, readToken, verifyToken } from '../../src/evidence/timestamp.js';
import { startLocalTsa, type LocalTsa } from '../../src/demo/tsa.js';

let tsa: LocalTsa;
beforeAll(async () => {
  tsa = await startLocalTsa();
}, 30_000);
afterAll(async () => tsa?.close());

const ask = async (der: Buffer) => Buffer.from(await (await fetch(tsa.url, { method: 'POST', headers: { 'Content-Type': 'application/timestamp-query' }, body: der })).arrayBuffer());

describe('RFC 3161 time-stamps (pkijs, against openssl ts -reply)', () => {
  it('accepts a token over the data with our nonce, whatever bytes the nonce starts with', async () => {
    const data = Buffer.from('{"manifest":1}');
    for (const start of [0x00, 0x7f, 0x80, 0xff]) {
      const { der, nonce } = buildRequest(data, Buffer.from([start, 0x9a, 1, 2, 3, 4, 5, 6]));
      const t = readToken(await ask(der), data, nonce);
      expect(t.genTime).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(t.rootPem).toContain('BEGIN CERTIFICATE');
    }
  });

  it('refuses a token over other data, a replayed nonce, and a signature that does not lead to the root', async () => {
    const data = Buffer.from('{"manifest":2}');
    const { der, nonce } = buildRequest(data);
    const tsr = await ask(der);
    expect(() => readToken(tsr, Buffer.from('{"manifest":3}'), nonce)).toThrow('stamps some other data');
    expect(() => readToken(tsr, data, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow('nonce');
    expect((await verifyToken(tsr, data, tsa.rootPem)).ok).toBe(true);
    const other = await startLocalTsa('Another TSA');
    try {
      expect(await verifyToken(tsr, data, other.rootPem)).toMatchObject({ ok: false });
    } finally {
      await other.close();
    }
  });
});
