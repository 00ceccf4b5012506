import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import yazl from 'yazl';
import type { CopiedRecord } from './bundle-warc.js';
import { parseRecord, readSlice } from './warc-record.js';
import { writeZip } from './zip.js';

export const WACZ_FILE = 'captures.wacz';
const WARC_IN_WACZ = 'data.warc.gz';

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The SURT form of a URL that CDXJ indexes sort by: host labels reversed, "www." dropped, lower case. */
export function surt(url: string): string {
  try {
    const u = new URL(url);
    const name = u.hostname.toLowerCase();
    // an IP address is kept as it is; a name is reversed label by label
    const host = /^[\d.]+$|^\[/.test(name) ? name : name.replace(/^www\d*\./, '').split('.').reverse().join(',');
    const port = u.port && !((u.protocol === 'http:' && u.port === '80') || (u.protocol === 'https:' && u.port === '443')) ? `:${u.port}` : '';
    return `${host}${port})${(u.pathname + u.search).toLowerCase()}`;
  } catch {
    return url;
  }
}

/** One CDXJ line per response or resource record of the bundle's WARC, where it starts and how long it is. */
export function cdxjLines(warc: Buffer | string, records: CopiedRecord[]): string[] {
  const lines: string[] = [];
  for (const r of records) {
    for (const m of r.members) {
      const member = typeof warc === 'string' ? readSlice(warc, m.offset, m.length) : warc.subarray(m.offset, m.offset + m.length);
      const rec = parseRecord(member);
      const type = rec.headers.get('warc-type');
      const uri = rec.headers.get('warc-target-uri');
      if (rec.problem || !uri || (type !== 'response' && type !== 'resource')) continue;
      const head = rec.block.subarray(0, Math.max(0, rec.block.indexOf('\r\n\r\n'))).toString('latin1');
      const status = type === 'response' ? Number(/^HTTP\/[\d.]+ (\d{3})/.exec(head)?.[1] ?? 0) : 200;
      const mime = (type === 'response' ? /^content-type:\s*([^;\r\n]+)/im.exec(head)?.[1] : rec.headers.get('content-type'))?.trim().toLowerCase() ?? 'application/octet-stream';
      const ts = (rec.headers.get('warc-date') ?? '').replace(/\D/g, '').slice(0, 14);
      const json = { url: uri, mime, status, digest: rec.headers.get('warc-payload-digest') ?? sha256(rec.block), length: m.length, offset: m.offset, filename: WARC_IN_WACZ };
      lines.push(`${surt(uri)} ${ts} ${JSON.stringify(json)}`);
    }
  }
  return lines.sort();
}

export interface WaczPage {
  url: string;
  title: string | null;
  /** the capture shown when the page is opened: its time */
  ts: string;
}

/**
 * The bundle's captures as a WACZ 1.1.1 file, which replayweb.page opens offline: the bundle's WARC
 * as it is, a CDXJ index of its responses, the pages, and datapackage.json with the SHA-256 and size
 * of each (and datapackage-digest.json with the SHA-256 of that). Every entry is stored, not
 * deflated, so that a reader can seek into the WARC by the index's offsets. Packed here with the
 * zip library the bundles already use rather than js-wacz, whose datapackage hashes have an open
 * bug (its issue #127): `verify` re-hashes every resource, and the tests check it does.
 */
export async function writeWacz(path: string, warcPath: string, records: CopiedRecord[], pages: WaczPage[], software: string): Promise<void> {
  const warc = readFileSync(warcPath);
  const index = Buffer.from(`${cdxjLines(warc, records).join('\n')}\n`);
  const pagesJsonl = Buffer.from(
    [JSON.stringify({ format: 'json-pages-1.0', id: 'pages', title: 'All Pages' }), ...pages.map((p, i) => JSON.stringify({ id: `page-${i + 1}`, url: p.url, ts: p.ts, ...(p.title ? { title: p.title } : {}) }))].join('\n') + '\n',
  );
  const parts: { name: string; path: string; bytes: Buffer }[] = [
    { name: WARC_IN_WACZ, path: `archive/${WARC_IN_WACZ}`, bytes: warc },
    { name: 'index.cdxj', path: 'indexes/index.cdxj', bytes: index },
    { name: 'pages.jsonl', path: 'pages/pages.jsonl', bytes: pagesJsonl },
  ];
  const datapackage = Buffer.from(
    JSON.stringify(
      {
        profile: 'data-package',
        wacz_version: '1.1.1',
        title: pages[0]?.title ?? pages[0]?.url ?? 'xjwatch evidence',
        created: new Date().toISOString(),
        software,
        ...(pages[0] ? { mainPageUrl: pages[0].url, mainPageDate: pages[0].ts } : {}),
        resources: parts.map((p) => ({ name: p.name, path: p.path, hash: sha256(p.bytes), bytes: p.bytes.length })),
      },
      null,
      2,
    ),
  );
  const digest = Buffer.from(JSON.stringify({ path: 'datapackage.json', hash: sha256(datapackage) }, null, 2));
  const zip = new yazl.ZipFile();
  for (const p of parts) zip.addBuffer(p.bytes, p.path, { compress: false });
  zip.addBuffer(datapackage, 'datapackage.json', { compress: false });
  zip.addBuffer(digest, 'datapackage-digest.json', { compress: false });
  await writeZip(zip, path);
}
