import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import type { BundleSource, Span } from './bundle-source.js';
import type { Finding } from './store-verify.js';

/**
 * A bundle's .zip read in place: its central directory is looked at before any byte of content,
 * and nothing is written to disk. A zip comes from anyone, so:
 * - entries that would land outside the folder when unpacked (`..`, absolute paths, backslashes),
 *   links, devices, encrypted entries, duplicates (also by case: one overwrites the other on macOS
 *   and Windows) are named and never read;
 * - a zip is refused unread when it declares more entries than a bundle has, entries that share
 *   their bytes, or far more content than its own size can honestly hold (a zip bomb);
 * - every read stops at the size its entry declares, which the caller has already held against
 *   the manifest's.
 */
export const ZIP_LIMITS = {
  entries: 50_000,
  /** the largest file a bundle holds (the same bound as a folder's) */
  entryBytes: 8 * 1024 ** 3,
  /** declared content at most this many times the zip's size, plus `slack` (bundles are mostly PNG, PDF and gzip: about 1:1) */
  ratio: 100,
  slack: 64 * 1024 * 1024,
};

interface ZipFileEntry {
  entry: yauzl.Entry;
  /** its name in the zip, for messages */
  name: string;
  problem?: string;
}

export type OpenedZip = { source: ZipSource; top: string } | { refused: string };

/** Opens a bundle's zip: a source to verify, or why the whole zip is refused unread. */
export async function openZipBundle(path: string): Promise<OpenedZip> {
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (err, z) => (err ? reject(err) : resolve(z))),
    );
  } catch (err) {
    return { refused: `not a readable zip: ${(err as Error).message}` };
  }
  if (zip.entryCount > ZIP_LIMITS.entries) {
    zip.close();
    return { refused: `declares ${zip.entryCount} entries, more than a bundle holds (${ZIP_LIMITS.entries}): refused unread` };
  }
  let entries: yauzl.Entry[];
  try {
    entries = await readDirectory(zip);
  } catch (err) {
    zip.close();
    return { refused: `its central directory is damaged: ${(err as Error).message}` };
  }
  const refusal = bombSigns(entries, zip.fileSize);
  if (refusal) {
    zip.close();
    return { refused: refusal };
  }
  const source = new ZipSource(zip, entries);
  return { source, top: source.top };
}

function readDirectory(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const out: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      out.push(e);
      zip.readEntry();
    });
    zip.on('end', () => resolve(out));
    zip.on('error', reject);
    zip.readEntry();
  });
}

/** Why the zip as a whole looks built to exhaust its reader, if it does. */
function bombSigns(entries: yauzl.Entry[], fileSize: number): string | undefined {
  // entries whose bytes overlap: the trick that makes a small zip declare terabytes
  const byOffset = entries.filter((e) => e.compressedSize > 0).sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1]!;
    const end = prev.relativeOffsetOfLocalHeader + 30 + nameBytes(prev).length + prev.compressedSize;
    if (byOffset[i]!.relativeOffsetOfLocalHeader < end) {
      return `entries ${display(nameBytes(prev))} and ${display(nameBytes(byOffset[i]!))} share their bytes (a zip bomb's trick): refused unread`;
    }
  }
  const declared = entries.reduce((n, e) => n + e.uncompressedSize, 0);
  if (declared > ZIP_LIMITS.slack + ZIP_LIMITS.ratio * fileSize) {
    const big = entries.reduce((a, b) => (b.uncompressedSize > a.uncompressedSize ? b : a));
    return `declares ${declared} bytes of content in a ${fileSize}-byte zip (${Math.round(declared / fileSize)}:1; the largest, ${display(nameBytes(big))}, ${big.uncompressedSize} bytes): refused unread as a zip bomb`;
  }
  return undefined;
}

const nameBytes = (e: yauzl.Entry): Buffer => (Buffer.isBuffer(e.fileName) ? e.fileName : Buffer.from(e.fileName));

/** A name as the zip holds it: UTF-8 when flagged (yazl does), else bytes as Latin-1 — bundle names are ASCII. */
function decodeName(e: yauzl.Entry): string {
  const b = nameBytes(e);
  return e.generalPurposeBitFlag & 0x800 ? b.toString('utf8') : b.toString('latin1');
}

/** A name safe to print: control characters shown as ?, cut at 160 characters. */
function display(name: string | Buffer): string {
  // eslint-disable-next-line no-control-regex
  return (Buffer.isBuffer(name) ? name.toString('utf8') : name).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 160);
}

const S_IFMT = 0o170000;
const TYPES: Record<number, string> = { 0o120000: 'a symbolic link', 0o020000: 'a device', 0o060000: 'a device', 0o010000: 'a named pipe', 0o140000: 'a socket' };

/** What is wrong with an entry whatever its place: its name, its kind, its encryption, its size. */
function entryProblem(e: yauzl.Entry, name: string): string | undefined {
  if (name.includes('\\')) return 'its name holds a backslash (a folder separator on Windows, where it would land elsewhere); not read';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'an absolute path, which would be unpacked outside the folder; not read';
  const parts = name.replace(/\/$/, '').split('/');
  if (parts.includes('..')) return 'its name climbs out of the folder (..); not read';
  // eslint-disable-next-line no-control-regex
  if (parts.some((p) => p === '' || p === '.') || /[\u0000-\u001f\u007f]/.test(name)) return 'an irregular name (empty or "." parts, control characters); not read';
  // unix file types live in the high half of the external attributes when the zip was made on unix
  const mode = e.versionMadeBy >> 8 === 3 ? (e.externalFileAttributes >>> 16) & S_IFMT : 0;
  if (TYPES[mode]) return `${TYPES[mode]} entry; a bundle holds only files and folders, and links are not followed`;
  if (e.isEncrypted()) return 'encrypted; not read';
  if (e.compressionMethod !== 0 && e.compressionMethod !== 8) return `compressed with method ${e.compressionMethod}, which a bundle's zip does not use; not read`;
  if (e.uncompressedSize > ZIP_LIMITS.entryBytes) return `declares ${e.uncompressedSize} bytes, more than a bundle file holds (${ZIP_LIMITS.entryBytes}); not read`;
  return undefined;
}

export class ZipSource implements BundleSource {
  /** the folder the zip holds the bundle in ('' when at its root), with its slash */
  readonly top: string;
  /** plain files by bundle path */
  private readonly plain = new Map<string, ZipFileEntry>();
  private readonly folders = new Set<string>();
  /** entries refused, by bundle path (or zip name when outside the bundle's folder) */
  private readonly refused = new Map<string, string>();
  private readonly hashes = new Map<string, { sha256?: string; problem?: string }>();

  constructor(
    private readonly zip: yauzl.ZipFile,
    entries: yauzl.Entry[],
  ) {
    const named = entries.map((entry) => ({ entry, name: decodeName(entry) }));
    // the bundle is the folder holding manifest.json (prove writes one top folder), else the zip's root
    const manifests = named.filter((n) => /^([^/]+\/)?manifest\.json$/.test(n.name)).map((n) => n.name.slice(0, -'manifest.json'.length));
    this.top = manifests.includes('') ? '' : manifests.length === 1 ? manifests[0]! : (/^[^/]+\//.exec(named[0]?.name ?? '')?.[0] ?? '');
    const seen = new Map<string, string>();
    for (const n of named) {
      const inside = n.name.startsWith(this.top);
      const path = inside ? n.name.slice(this.top.length) : n.name;
      const isDir = n.name.endsWith('/');
      const key = path.replace(/\/$/, '');
      let problem = entryProblem(n.entry, n.name) ?? (inside ? undefined : `outside the bundle's folder ${this.top}; not read`);
      if (!problem && isDir) {
        if (key) this.folders.add(key); // a folder listed twice is harmless
        continue;
      }
      const folded = key.toLowerCase();
      const before = seen.get(folded);
      if (!problem && before !== undefined) {
        problem = before === key ? 'appears twice in the zip (which copy is the evidence?); neither is read' : `differs from ${display(before)} only in case (one overwrites the other when unpacked on macOS or Windows); not read`;
        if (before === key && this.plain.delete(key)) this.refused.set(key, problem);
      }
      if (!problem) seen.set(folded, key);
      if (problem) {
        this.refused.set(display(key), problem);
        continue;
      }
      this.plain.set(key, { entry: n.entry, name: n.name });
      const parts = key.split('/');
      for (let i = 1; i < parts.length; i++) this.folders.add(parts.slice(0, i).join('/'));
    }
  }

  strange(): Finding[] {
    const out: Finding[] = [...this.refused].map(([path, problem]) => ({ path, problem }));
    // a file that is also a folder: unpacked, one of them cannot exist
    for (const path of this.plain.keys()) if (this.folders.has(path)) out.push({ path, problem: 'a file and a folder at once; not read' });
    return out;
  }

  files(): string[] {
    return [...this.plain.keys()].filter((p) => !this.folders.has(p)).sort();
  }

  problem(path: string): string | undefined {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const up = parts.slice(0, i).join('/');
      if (this.refused.has(up)) return `its folder ${up} is refused: ${this.refused.get(up)}`;
      if (this.plain.has(up)) return `${up} is not a folder`;
    }
    if (this.refused.has(path)) return this.refused.get(path);
    if (this.folders.has(path)) return this.plain.has(path) ? 'a file and a folder at once; not read' : 'a folder; a bundle file was expected';
    return undefined;
  }

  size(path: string): number | undefined {
    return this.plain.get(path)?.entry.uncompressedSize ?? (this.refused.has(path) || this.folders.has(path) ? 0 : undefined);
  }

  isFolder(path: string): boolean {
    return this.folders.has(path) && !this.plain.has(path);
  }

  async read(path: string, max: number): Promise<{ bytes?: Buffer; problem?: string }> {
    const strange = this.problem(path);
    if (strange) return { problem: strange };
    const f = this.plain.get(path);
    if (!f) return { problem: 'missing' };
    const size = f.entry.uncompressedSize;
    if (size > max) return { problem: `${size} bytes, more than a bundle's ${path} can hold (${max}); not read` };
    // gathered as it comes, so a size the entry only claims is never allocated
    const chunks: Buffer[] = [];
    const problem = await this.stream(f, (chunk) => {
      chunks.push(chunk);
      return true;
    });
    return problem ? { problem } : { bytes: Buffer.concat(chunks) };
  }

  async sha256(path: string, max: number): Promise<{ sha256?: string; problem?: string }> {
    const strange = this.problem(path);
    if (strange) return { problem: strange };
    const f = this.plain.get(path);
    if (!f) return { problem: 'missing' };
    if (f.entry.uncompressedSize > max) return { problem: `${f.entry.uncompressedSize} bytes, more than ${max}; not read` };
    // a file named in both the manifest and SHA256SUMS is inflated once
    const known = this.hashes.get(path);
    if (known) return known;
    const hash = createHash('sha256');
    const problem = await this.stream(f, (chunk) => {
      hash.update(chunk);
      return true;
    });
    const out = problem ? { problem } : { sha256: hash.digest('hex') };
    this.hashes.set(path, out);
    return out;
  }

  async spans(path: string, spans: Span[], visit: (span: Span, bytes: Buffer) => void): Promise<string | undefined> {
    const f = this.plain.get(path);
    if (!f || this.problem(path) || !spans.length) return undefined;
    // one pass over the entry (a deflated entry cannot be entered in the middle), one span in memory at a time
    let pos = 0;
    let i = 0;
    let parts: Buffer[] = [];
    let filled = 0;
    return this.stream(f, (chunk) => {
      let c = 0;
      while (c < chunk.length && i < spans.length) {
        const s = spans[i]!;
        const at = pos + c;
        if (at < s.offset) {
          c += Math.min(s.offset - at, chunk.length - c);
          continue;
        }
        const n = Math.min(s.length - filled, chunk.length - c);
        parts.push(chunk.subarray(c, c + n));
        filled += n;
        c += n;
        if (filled === s.length) {
          visit(s, Buffer.concat(parts));
          i++;
          parts = [];
          filled = 0;
        }
      }
      pos += chunk.length;
      return i < spans.length;
    });
  }

  close(): void {
    if (this.zip.isOpen) this.zip.close();
  }

  /**
   * Feeds an entry's content to `take` until it returns false; a problem if the entry could not be
   * read whole. The inflating is done here rather than by yauzl: its size check reports an entry
   * that inflates past its declared size by destroying its stream, which on Node 20 swallows the
   * error and leaves the reader waiting for ever; here the count stops it at the declared size.
   */
  private stream(f: ZipFileEntry, take: (chunk: Buffer) => boolean): Promise<string | undefined> {
    const declared = f.entry.uncompressedSize;
    return new Promise((resolve) => {
      this.zip.openReadStream(f.entry, f.entry.isCompressed() ? { decompress: false } : {}, (err, raw: Readable) => {
        if (err) return resolve(`unreadable in the zip: ${err.message}`);
        const inflate = f.entry.isCompressed() ? zlib.createInflateRaw() : undefined;
        const content: Readable = inflate ?? raw;
        let got = 0;
        let done = false;
        const finish = (problem?: string) => {
          if (done) return;
          done = true;
          raw.unpipe();
          raw.destroy();
          inflate?.destroy();
          resolve(problem);
        };
        raw.on('error', (e: Error) => finish(`unreadable in the zip: ${e.message}`));
        inflate?.on('error', (e: Error) => finish(`does not inflate (damaged or altered): ${e.message}`));
        content.on('data', (chunk: Buffer) => {
          if (done) return;
          got += chunk.length;
          if (got > declared) return finish(`inflates to more than the ${declared} bytes its zip entry declares (a zip bomb, or damaged): read no further`);
          if (!take(chunk)) finish();
        });
        content.on('end', () => finish(got < declared ? `inflates to ${got} bytes, fewer than the ${declared} its zip entry declares (damaged or altered)` : undefined));
        if (inflate) raw.pipe(inflate);
      });
    });
  }
}
