import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { listFiles } from '../../src/evidence/files.js';

/** One entry of a hand-made zip: what a hostile sender may put in the central directory. */
export interface CraftedEntry {
  name: string;
  data?: Buffer;
  /** deflate-raw bytes to store instead of deflating `data` (method 8) */
  deflated?: Buffer;
  /** 0 stored, 8 deflated (default) */
  method?: 0 | 8;
  /** the uncompressed size the headers declare (default: the true one) */
  declaredSize?: number;
  /** unix mode in the external attributes (e.g. 0o120777, a symbolic link) */
  mode?: number;
  /** no data of its own: its central record points at this earlier entry's (the overlapping-bomb trick) */
  shareWith?: number;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Writes a zip byte by byte (no library checks what goes in): local headers, data, central
 * directory, end record. Enough of the format for yauzl, unzip and Python's zipfile to read.
 */
export function craftZip(entries: CraftedEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const placed: { offset: number; body: number; size: number; crc: number; method: number }[] = [];
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const shared = e.shareWith !== undefined ? placed[e.shareWith] : undefined;
    if (shared) {
      const central = Buffer.alloc(46);
      central.writeUInt32LE(0x02014b50, 0);
      central.writeUInt16LE((3 << 8) | 20, 4);
      central.writeUInt16LE(20, 6);
      central.writeUInt16LE(0x800, 8);
      central.writeUInt16LE(shared.method, 10);
      central.writeUInt32LE(shared.crc, 16);
      central.writeUInt32LE(shared.body, 20);
      central.writeUInt32LE(shared.size, 24);
      central.writeUInt16LE(name.length, 28);
      central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
      central.writeUInt32LE(shared.offset, 42);
      centrals.push(central, name);
      placed.push(shared);
      continue;
    }
    const data = e.data ?? Buffer.alloc(0);
    const method = e.method ?? 8;
    const body = method === 0 ? data : (e.deflated ?? zlib.deflateRawSync(data));
    const size = e.declaredSize ?? data.length;
    const crc = e.deflated ? 0 : crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6); // names in UTF-8
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made on unix: the external attributes carry a mode
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    placed.push({ offset, body: body.length, size, crc, method });
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(entries.length, 0xffff), 8);
  end.writeUInt16LE(Math.min(entries.length, 0xffff), 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A bundle folder as zip entries under its top folder, as `prove` packs it. */
export function bundleEntries(dir: string, top: string): CraftedEntry[] {
  return listFiles(dir).map((f) => ({ name: `${top}/${f}`, data: readFileSync(join(dir, f)) }));
}

/** Deflate-raw bytes that inflate to `mib` MiB of zeros, made without holding them (about 1 KiB per MiB). */
export function zerosDeflated(mib: number): Buffer {
  const one = zlib.deflateRawSync(Buffer.alloc(1 << 20), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return Buffer.concat([...Array<Buffer>(mib).fill(one), Buffer.from([0x03, 0x00])]);
}
