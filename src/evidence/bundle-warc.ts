import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import zlib from 'node:zlib';
import { WARCRecord, WARCSerializer } from 'warcio';
import type { FetchRecord } from '../store/rows.js';
import { readSlice } from './warc-record.js';
import { localCopy } from '../store/objects/local-copy.js';
import { StoreError } from '../store/db-type.js';
import { objectStoreLocation } from '../store/storage-setting.js';

export interface CopiedRecord {
  exchange: string;
  url: string;
  at: string;
  status: number | null;
  ip: string | null;
  /** where its records start in the bundle's WARC, and how long (response or metadata, then request) */
  offset: number;
  length: number;
  /** each record (one gzip member each) of the exchange */
  members: { offset: number; length: number }[];
  /** where it was in the store, for the custody log */
  source: { file: string; offset: number; length: number };
}

/**
 * The bundle's WARC: a warcinfo record saying what it is, then each exchange's records copied
 * byte for byte from the store (each record is its own gzip member, so copies are whole
 * records with their original digests, and the file is a valid WARC.gz).
 */
export async function writeBundleWarc(dataDir: string, path: string, fetches: FetchRecord[], software: string): Promise<CopiedRecord[]> {
  const fd = openSync(path, 'w');
  let offset = 0;
  const put = (b: Buffer) => {
    let o = 0;
    while (o < b.length) o += writeSync(fd, b, o, b.length - o);
    offset += b.length;
  };
  const out: CopiedRecord[] = [];
  try {
    const info = WARCRecord.createWARCInfo(
      { filename: 'evidence.warc.gz', warcVersion: 'WARC/1.1', date: new Date().toISOString() },
      {
        software,
        format: 'WARC File Format 1.1',
        conformsTo: 'https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/',
        description: 'Evidence bundle: records copied byte for byte from the monitoring store in which they were written at capture time; see manifest.json for where each came from.',
      },
    );
    put(zlib.gzipSync(await WARCSerializer.serialize(info, { gzip: false, digest: { algo: 'sha-256', prefix: 'sha256:', base32: false } })));
    for (const f of [...fetches].sort((a, b) => a.at.localeCompare(b.at) || a.id - b.id)) {
      const src = localCopy(dataDir, f.warc_file);
      if (!existsSync(src)) throw new StoreError(missingWarc(f));
      const start = offset;
      const members = [{ offset, length: f.warc_length }];
      put(readSlice(src, f.warc_offset, f.warc_length));
      if (f.request_offset !== null && f.request_length !== null && f.request_offset !== f.warc_offset) {
        members.push({ offset, length: f.request_length });
        put(readSlice(src, f.request_offset, f.request_length));
      }
      out.push({ exchange: f.exchange_id, url: f.url, at: f.at, status: f.status, ip: f.ip, offset: start, length: offset - start, members, source: { file: f.warc_file, offset: f.warc_offset, length: f.warc_length } });
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** Why a record cannot be copied: its WARC file is on no disk this machine can read. */
function missingWarc(f: FetchRecord): string {
  const where = objectStoreLocation()
    ? "neither in this data directory nor in the team's object store (most often a run interrupted before it sent the file: its machine sends it when it next writes the catalogue)"
    : 'missing from this data directory';
  return `cannot make the bundle: the WARC file ${f.warc_file}, which holds ${f.url} as fetched at ${f.at}, is ${where} (\`xjwatch verify --data-dir\` names every such file). Nothing was written.`;
}
