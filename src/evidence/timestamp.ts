import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const SHA256_OID = '2.16.840.1.101.3.4.2.1';

/** What one time-stamp authority gave (or why it gave nothing). */
export interface StampResult {
  tsa: string;
  ok: boolean;
  problem?: string;
  /** the request and reply, DER, as sent and received */
  tsq?: Buffer;
  tsr?: Buffer;
  /** the TSA's certificates from the reply (PEM): the self-signed root apart from the rest */
  chainPem?: string;
  rootPem?: string;
  genTime?: string;
  serial?: string;
  policy?: string;
}

export class TimestampError extends Error {
  override name = 'TimestampError';
}

/** An RFC 3161 request for the SHA-256 of `data`, asking for the TSA's certificate in the reply. */
export function buildRequest(data: Uint8Array, nonce: Buffer = randomBytes(8)): { der: Buffer; nonce: Buffer } {
  nonce[0] = (nonce[0]! & 0x7f) | 0x01; // a positive INTEGER with no leading zero byte to normalise away
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: SHA256_OID }),
      hashedMessage: new asn1js.OctetString({ valueHex: createHash('sha256').update(data).digest() }),
    }),
    nonce: new asn1js.Integer({ valueHex: nonce }),
    certReq: true,
  });
  return { der: Buffer.from(req.toSchema().toBER(false)), nonce };
}

const pem = (der: ArrayBuffer) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;

/** Reads a reply: its status, its token's time, serial and imprint, and the certificates it carries. */
export function parseReply(tsr: Uint8Array): { status: number; statusText: string; signed?: pkijs.SignedData; tst?: pkijs.TSTInfo; resp: pkijs.TimeStampResp } {
  const asn1 = asn1js.fromBER(new Uint8Array(tsr));
  if (asn1.offset === -1) throw new TimestampError('the reply is not DER');
  if (asn1.offset !== tsr.length) throw new TimestampError(`${tsr.length - asn1.offset} bytes after the reply's end`);
  const resp = new pkijs.TimeStampResp({ schema: asn1.result });
  const status = resp.status.status;
  const statusText = resp.status.statusStrings?.map((s) => s.valueBlock.value).join('; ') ?? '';
  if (!resp.timeStampToken) return { status, statusText, resp };
  const signed = new pkijs.SignedData({ schema: resp.timeStampToken.content });
  const e = signed.encapContentInfo.eContent;
  if (!e) throw new TimestampError('the token holds no TSTInfo');
  const tst = new pkijs.TSTInfo({ schema: asn1js.fromBER(e.getValue()).result });
  return { status, statusText, signed, tst, resp };
}

/** Checks a reply against the data it should stamp; returns what it says. */
export function readToken(tsr: Uint8Array, data: Uint8Array, nonce?: Buffer): Pick<StampResult, 'genTime' | 'serial' | 'policy' | 'chainPem' | 'rootPem'> {
  const r = parseReply(tsr);
  if (r.status !== 0 && r.status !== 1) throw new TimestampError(`the TSA refused (status ${r.status}${r.statusText ? `: ${r.statusText}` : ''})`);
  if (!r.tst || !r.signed) throw new TimestampError('the reply holds no time-stamp token');
  const imprint = Buffer.from(r.tst.messageImprint.hashedMessage.valueBlock.valueHexView);
  if (r.tst.messageImprint.hashAlgorithm.algorithmId !== SHA256_OID || !imprint.equals(createHash('sha256').update(data).digest())) {
    throw new TimestampError('the token stamps some other data');
  }
  if (nonce && (!r.tst.nonce || asNumber(Buffer.from(r.tst.nonce.valueBlock.valueHexView)) !== asNumber(nonce))) throw new TimestampError('the token does not carry our nonce (a replayed reply?)');
  const certs = (r.signed.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const roots = certs.filter((c) => Buffer.from(c.issuer.toSchema().toBER()).equals(Buffer.from(c.subject.toSchema().toBER())));
  const others = certs.filter((c) => !roots.includes(c));
  return {
    genTime: r.tst.genTime.toISOString(),
    serial: Buffer.from(r.tst.serialNumber.valueBlock.valueHexView).toString('hex'),
    policy: r.tst.policy,
    chainPem: others.map((c) => pem(c.toSchema().toBER(false))).join(''),
    rootPem: roots.map((c) => pem(c.toSchema().toBER(false))).join('') || undefined,
  };
}

/** An INTEGER's value, whatever leading zero bytes its encoding carries. */
const asNumber = (b: Buffer) => BigInt(`0x${b.toString('hex') || '0'}`);

/** Asks one TSA to stamp `data` (the manifest); never throws: a TSA that fails says why. */
export async function requestStamp(tsa: string, data: Uint8Array, timeoutMs = 20_000): Promise<StampResult> {
  const { der, nonce } = buildRequest(data);
  try {
    const res = await fetch(tsa, {
      method: 'POST',
      headers: { 'Content-Type': 'application/timestamp-query', Accept: 'application/timestamp-reply' },
      body: der,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return { tsa, ok: false, problem: `HTTP ${res.status} ${res.statusText}`.trim(), tsq: der };
    const tsr = Buffer.from(await res.arrayBuffer());
    return { tsa, ok: true, tsq: der, tsr, ...readToken(tsr, data, nonce) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.cause?.code ?? e.cause?.message ?? e.message;
    return { tsa, ok: false, problem: e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : why, tsq: der };
  }
}

/** Verifies a token's signature over `data` with the certificates it carries and the given roots. */
export async function verifyToken(tsr: Uint8Array, data: Uint8Array, rootsPem: string): Promise<{ ok: boolean; problem?: string; genTime?: string; root?: string }> {
  try {
    const r = parseReply(tsr);
    if (!r.tst) return { ok: false, problem: 'no token in the reply' };
    const roots = [...rootsPem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g)].map(
      (m) => new pkijs.Certificate({ schema: asn1js.fromBER(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'))).result }),
    );
    readToken(tsr, data);
    if (!roots.length) return { ok: false, problem: 'no root certificate to check it against' };
    // checkChain: the signer's certificate must lead to the root (pkijs skips that by default)
    const ok = await r.signed!.verify({ signer: 0, trustedCerts: roots, data: new Uint8Array(data).buffer, checkChain: true });
    // the root is named by subject and fingerprint: trusting it is the reader's call, not ours
    const root = roots.map((c) => `${c.subject.typesAndValues.map((t) => t.value.valueBlock.value).join(', ')} (SHA-256 fingerprint ${createHash('sha256').update(Buffer.from(c.toSchema().toBER(false))).digest('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:')})`).join('; ');
    return ok ? { ok, genTime: r.tst.genTime.toISOString(), root } : { ok, problem: 'the signature does not verify' };
  } catch (err) {
    return { ok: false, problem: (err as Error).message };
  }
}
