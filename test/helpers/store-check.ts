import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openCatalogue, TEAM } from './catalogue.js';
import { WARCParser } from 'warcio';

/**
 * Checks a data directory the way a sceptic would: the catalogue is intact, every fetch row
 * points at a complete WARC record whose payload digest is the body's SHA-256, and every blob a
 * capture names exists and hashes to its name. Returns the problems found.
 */
export async function checkStore(dataDir: string): Promise<{ problems: string[]; fetches: number; captures: number }> {
  const problems: string[] = [];
  const db = openCatalogue(dataDir);
  // SQLite's own check of its file (a database server keeps its own pages)
  const ic = TEAM ? 'ok' : db.pragma('integrity_check', { simple: true });
  if (ic !== 'ok') problems.push(`integrity_check: ${ic}`);
  const fetches = db.prepare('SELECT id, url, body_sha256, warc_file, warc_offset, warc_length, error_kind FROM fetches').all() as {
    id: number; url: string; body_sha256: string | null; warc_file: string; warc_offset: number; warc_length: number; error_kind: string | null;
  }[];
  for (const f of fetches) {
    const fd = openSync(join(dataDir, f.warc_file), 'r');
    const buf = Buffer.alloc(f.warc_length);
    const n = readSync(fd, buf, 0, f.warc_length, f.warc_offset);
    closeSync(fd);
    if (n !== f.warc_length) {
      problems.push(`fetch ${f.id}: WARC record cut short`);
      continue;
    }
    let raw: Buffer;
    try {
      raw = gunzipSync(buf);
    } catch {
      problems.push(`fetch ${f.id}: WARC record is not a complete gzip member`);
      continue;
    }
    const record = await new WARCParser([raw]).parse();
    if (!record || record.warcTargetURI !== f.url) problems.push(`fetch ${f.id}: WARC record is for ${record?.warcTargetURI}`);
    if (f.body_sha256 && record?.warcPayloadDigest !== `sha256:${f.body_sha256}`) problems.push(`fetch ${f.id}: payload digest ${record?.warcPayloadDigest} != body ${f.body_sha256}`);
  }
  const captures = db.prepare('SELECT id, body_sha256 FROM captures').all() as { id: number; body_sha256: string }[];
  for (const c of captures) {
    const path = join(dataDir, 'blobs', 'sha256', c.body_sha256.slice(0, 2), c.body_sha256.slice(2, 4), c.body_sha256);
    try {
      const sha = createHash('sha256').update(readFileSync(path)).digest('hex');
      if (sha !== c.body_sha256) problems.push(`capture ${c.id}: blob hashes to ${sha}`);
    } catch {
      problems.push(`capture ${c.id}: blob ${c.body_sha256} missing`);
    }
  }
  db.close();
  return { problems, fetches: fetches.length, captures: captures.length };
}
