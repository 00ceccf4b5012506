import iconv from 'iconv-lite';
import yauzl from 'yauzl';
import { documentKind, type DocumentKind } from './kind.js';
import type { Segment } from './places.js';

/** What an attached archive may hold before it is refused: zip bombs, path tricks and nesting. */
export const ARCHIVE_LIMITS = { entries: 500, entryBytes: 50 << 20, totalBytes: 200 << 20, ratio: 100, slack: 10 << 20, depth: 2 };

export interface ArchiveText {
  text: string;
  segments: Segment[];
  notes: string[];
}

type Read = (kind: DocumentKind, bytes: Uint8Array, depth: number) => Promise<{ text: string; segments: Segment[]; notes?: string[] }>;

/**
 * The documents inside a .zip, each read as it would be attached on its own, its text under a
 * heading with its name and its places prefixed with it ("名单/花名册.xls:roster!E2"). Refused:
 * more entries or bytes than ARCHIVE_LIMITS, a declared size far beyond the zip's own (a bomb),
 * archives inside archives past the depth; a member whose name climbs out of the archive is
 * skipped. Chinese Windows writes member names in GBK without the UTF-8 flag: decoded as such.
 */
export async function zipText(bytes: Uint8Array, depth: number, read: Read): Promise<ArchiveText> {
  const zip = await new Promise<yauzl.ZipFile>((ok, fail) =>
    yauzl.fromBuffer(Buffer.from(bytes), { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (e, z) => (e ? fail(e) : ok(z))),
  );
  try {
    if (zip.entryCount > ARCHIVE_LIMITS.entries) throw new Error(`the zip declares ${zip.entryCount} entries, more than ${ARCHIVE_LIMITS.entries}: refused unread`);
    const entries = await new Promise<yauzl.Entry[]>((ok, fail) => {
      const out: yauzl.Entry[] = [];
      zip.on('entry', (e: yauzl.Entry) => (out.push(e), zip.readEntry()));
      zip.on('end', () => ok(out));
      zip.on('error', fail);
      zip.readEntry();
    });
    const declared = entries.reduce((n, e) => n + e.uncompressedSize, 0);
    if (declared > ARCHIVE_LIMITS.totalBytes || declared > ARCHIVE_LIMITS.slack + ARCHIVE_LIMITS.ratio * bytes.length) {
      throw new Error(`the zip declares ${declared} bytes of content in ${bytes.length} (${Math.round(declared / bytes.length)}:1): refused unread as a zip bomb`);
    }
    const parts: string[] = [];
    const segments: Segment[] = [];
    const notes: string[] = [];
    let at = 0;
    for (const e of entries) {
      const name = memberName(e);
      if (name.endsWith('/')) continue;
      if (/(^|\/)\.\.(\/|$)/.test(name) || /^(\/|[a-z]:)/i.test(name)) {
        notes.push(`skipped ${JSON.stringify(name)} in the zip: its path climbs out of the archive`);
        continue;
      }
      if (e.isEncrypted()) {
        notes.push(`${name} in the zip is encrypted: not read`);
        continue;
      }
      if (e.uncompressedSize > ARCHIVE_LIMITS.entryBytes) {
        notes.push(`${name} in the zip is ${e.uncompressedSize} bytes, over ${ARCHIVE_LIMITS.entryBytes}: not read`);
        continue;
      }
      const body = await member(zip, e);
      const kind = documentKind(body, name);
      if (kind === 'unknown') continue; // pictures and the like: nothing to read
      if (kind === 'zip' && depth >= ARCHIVE_LIMITS.depth) {
        notes.push(`${name} is a zip inside a zip ${depth} deep: not opened`);
        continue;
      }
      let got: Awaited<ReturnType<Read>>;
      try {
        // a view of its own (pdf.js takes over the buffer it is given)
        got = await read(kind, new Uint8Array(body), depth + 1);
      } catch (err) {
        notes.push(`${name} in the zip could not be read: ${String((err as Error)?.message ?? err).slice(0, 200)}`);
        continue;
      }
      for (const n of got.notes ?? []) notes.push(`${name}: ${n}`);
      const head = `[${name}]\n`;
      if (parts.length) at += 2; // "\n\n" between members
      segments.push({ at, place: name });
      at += head.length;
      for (const s of got.segments) segments.push({ ...s, at: at + s.at, member: s.member ? `${name}:${s.member}` : name });
      parts.push(head + got.text);
      at += got.text.length;
    }
    return { text: parts.join('\n\n'), segments, notes };
  } finally {
    zip.close();
  }
}

function memberName(e: yauzl.Entry): string {
  const b = Buffer.isBuffer(e.fileName) ? e.fileName : Buffer.from(e.fileName);
  return e.generalPurposeBitFlag & 0x800 ? b.toString('utf8') : iconv.decode(b, 'gb18030');
}

function member(zip: yauzl.ZipFile, e: yauzl.Entry): Promise<Buffer> {
  return new Promise((ok, fail) =>
    zip.openReadStream(e, (err, stream) => {
      if (err) return fail(err);
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => ok(Buffer.concat(chunks)));
      stream.on('error', fail);
    }),
  );
}
