import { createHash } from 'node:crypto';
import yauzl from 'yauzl';
import type { BundleSource } from './bundle-source.js';
import type { Finding } from './store-verify.js';
import { WACZ_FILE } from './wacz.js';
import { parseRecord } from './warc-record.js';

/** Bounds on a WACZ read back (it may come from anyone, inside a bundle that may too). */
const MAX_WACZ = 2 * 1024 ** 3;
const MAX_ENTRIES = 32;

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The stored entries of a zip held in memory, by name; deflated or oversized entries are refused. */
function entriesOf(zipBytes: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zipBytes, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('not a zip'));
      const out = new Map<string, Buffer>();
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (e: yauzl.Entry) => {
        const name = String(e.fileName);
        if (out.size >= MAX_ENTRIES) return reject(new Error(`more than ${MAX_ENTRIES} entries`));
        if (name.endsWith('/')) return zip.readEntry();
        if (e.uncompressedSize > zipBytes.length) return reject(new Error(`${name} claims ${e.uncompressedSize} bytes, more than the whole file`));
        zip.openReadStream(e, (err2, stream) => {
          if (err2 || !stream) return reject(err2 ?? new Error(`cannot read ${name}`));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            out.set(name, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/**
 * The bundle's WACZ, checked as replayweb.page will read it and against the bundle itself: every
 * resource's SHA-256 and size as datapackage.json lists them, datapackage-digest.json over that,
 * its WARC the very evidence.warc.gz the bundle verifies, and every index line pointing at a whole
 * record of the URL it names. A bundle made before WACZ (none in it) is said to be so in the notes.
 */
export async function checkWacz(src: BundleSource, out: { problems: Finding[]; notes: Finding[] }): Promise<void> {
  const bad = (problem: string, path = WACZ_FILE) => out.problems.push({ path, problem });
  if (src.size(WACZ_FILE) === undefined) {
    out.notes.push({ path: WACZ_FILE, problem: 'none in this bundle (made before xjwatch wrote WACZ): the WARC is checked as it is' });
    return;
  }
  const read = await src.read(WACZ_FILE, MAX_WACZ);
  if (!read.bytes) return void bad(read.problem ?? 'unreadable');
  let entries: Map<string, Buffer>;
  try {
    entries = await entriesOf(read.bytes);
  } catch (err) {
    return void bad(`not a readable zip: ${(err as Error).message}`);
  }
  const dp = entries.get('datapackage.json');
  if (!dp) return void bad('has no datapackage.json');
  let pkg: { wacz_version?: string; resources?: { path?: string; hash?: string; bytes?: number }[] };
  try {
    pkg = JSON.parse(dp.toString('utf8'));
  } catch (err) {
    return void bad(`datapackage.json is not JSON: ${(err as Error).message}`);
  }
  if (!pkg.wacz_version) bad('datapackage.json names no wacz_version');
  const digest = entries.get('datapackage-digest.json');
  if (digest) {
    try {
      if ((JSON.parse(digest.toString('utf8')) as { hash?: string }).hash !== sha256(dp)) bad('datapackage-digest.json does not hold the SHA-256 of datapackage.json');
    } catch {
      bad('datapackage-digest.json is not JSON');
    }
  }
  for (const r of pkg.resources ?? []) {
    const body = r.path ? entries.get(r.path) : undefined;
    if (!body) bad(`datapackage.json lists ${String(r.path).slice(0, 80)}, which is not in it`);
    else if (sha256(body) !== r.hash || body.length !== r.bytes) bad(`${r.path} is altered: SHA-256 ${sha256(body)} and ${body.length} bytes, datapackage.json says ${r.hash} and ${r.bytes}`);
  }
  for (const name of entries.keys()) if (!['datapackage.json', 'datapackage-digest.json'].includes(name) && !(pkg.resources ?? []).some((r) => r.path === name)) bad(`${name.slice(0, 80)} is in it but not in datapackage.json`);
  const warc = entries.get('archive/data.warc.gz');
  if (!warc) return void bad('has no archive/data.warc.gz');
  const bundleWarc = await src.sha256('evidence.warc.gz', MAX_WACZ);
  if (bundleWarc.sha256 && `sha256:${bundleWarc.sha256}` !== sha256(warc)) bad('its WARC is not the bundle\'s evidence.warc.gz');
  const index = entries.get('indexes/index.cdxj')?.toString('utf8').split('\n').filter(Boolean) ?? [];
  if (!index.length) bad('its index (indexes/index.cdxj) is empty or missing');
  for (const line of index) {
    const json = line.slice(line.indexOf('{'));
    let e: { url?: string; offset?: number; length?: number };
    try {
      e = JSON.parse(json);
    } catch {
      bad(`an index line that is not CDXJ: ${line.slice(0, 80)}`, `${WACZ_FILE}:indexes/index.cdxj`);
      continue;
    }
    const { offset, length } = e;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset! < 0 || length! <= 0 || offset! + length! > warc.length) {
      bad(`an index line points outside the WARC: ${line.slice(0, 120)}`, `${WACZ_FILE}:indexes/index.cdxj`);
      continue;
    }
    const rec = parseRecord(warc.subarray(offset!, offset! + length!));
    if (rec.problem) bad(`the record the index gives for ${e.url} is not whole: ${rec.problem}`, `${WACZ_FILE}:indexes/index.cdxj`);
    else if (rec.headers.get('warc-target-uri') !== e.url) bad(`the index gives ${e.url} a record of ${rec.headers.get('warc-target-uri')}`, `${WACZ_FILE}:indexes/index.cdxj`);
  }
}
