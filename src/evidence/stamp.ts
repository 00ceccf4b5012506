import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { writeFileAtomic } from '../store/atomic.js';
import { join } from 'node:path';
import type { TsaSetting } from '../config/settings.js';
import { requestStamp, type StampResult } from './timestamp.js';

export interface StampRecord {
  name: string;
  tsa: string;
  ok: boolean;
  problem?: string;
  gen_time?: string;
  serial?: string;
  policy?: string;
  root?: 'from the reply' | 'from the settings' | 'missing';
  at: string;
}

const slug = (url: string) => new URL(url).host.replace(/[^a-z0-9.-]+/gi, '-').replace(/^-+|-+$/g, '') || 'tsa';

/**
 * Asks each time-stamp authority to stamp manifest.json and keeps request, reply and the
 * certificates that `openssl ts -verify` needs in timestamps/. Files there are never hashed into
 * the manifest (they stamp it), so stamping later changes nothing else in the bundle.
 */
export async function stampBundle(dir: string, tsas: TsaSetting[]): Promise<StampRecord[]> {
  const manifest = readFileSync(join(dir, 'manifest.json'));
  const tdir = join(dir, 'timestamps');
  mkdirSync(tdir, { recursive: true });
  const logPath = join(tdir, 'stamps.json');
  const log = stampsOf(dir);
  const results: StampResult[] = await Promise.all(tsas.map((t) => requestStamp(t.url, manifest)));
  const made: StampRecord[] = [];
  results.forEach((r, i) => {
    const at = new Date().toISOString();
    if (!r.ok || !r.tsr) {
      made.push({ name: '', tsa: r.tsa, ok: false, problem: r.problem, at });
      return;
    }
    const taken = new Set(readdirSync(tdir));
    let name = slug(r.tsa);
    for (let k = 2; taken.has(`${name}.tsr`); k++) name = `${slug(r.tsa)}-${k}`;
    // each file whole or absent; the token last, so a .tsr never stands without its certificates
    writeFileAtomic(join(tdir, `${name}.tsq`), r.tsq!);
    // openssl refuses an empty -untrusted file: none is written when the reply has only the root
    if (r.chainPem) writeFileAtomic(join(tdir, `${name}.chain.pem`), r.chainPem);
    const ca = tsas[i]!.ca;
    const root = ca ? readFileSync(ca, 'utf8') : r.rootPem;
    if (root) writeFileAtomic(join(tdir, `${name}.root.pem`), root);
    writeFileAtomic(join(tdir, `${name}.tsr`), r.tsr);
    made.push({ name, tsa: r.tsa, ok: true, gen_time: r.genTime, serial: r.serial, policy: r.policy, root: ca ? 'from the settings' : root ? 'from the reply' : 'missing', at });
  });
  const all = [...log, ...made];
  writeFileAtomic(logPath, `${JSON.stringify(all, null, 2)}\n`);
  writeFileAtomic(join(tdir, 'README.txt'), stampsReadme(all));
  return made;
}

function stampsReadme(all: StampRecord[]): string {
  const ok = all.filter((s) => s.ok);
  const lines = ['RFC 3161 time-stamps over ../manifest.json (see ../VERIFY.md, step 2).', ''];
  if (!ok.length) lines.push('NO TIME-STAMP WAS OBTAINED: no time-stamp authority answered.', 'The bundle is otherwise complete. Add one later with: xjwatch stamp <this bundle folder>', '');
  for (const s of all) {
    lines.push(
      s.ok
        ? `${s.name}.tsr  from ${s.tsa}  time ${s.gen_time}  serial ${s.serial}${s.root === 'missing' ? '  (the reply carried no root certificate: put the authority\'s root as ' + s.name + '.root.pem)' : ''}`
        : `failed  ${s.tsa}  at ${s.at}: ${s.problem}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The record of stamps asked for so far (the .tsr files are the proof; this is the story). */
export function stampsOf(dir: string): StampRecord[] {
  const p = join(dir, 'timestamps', 'stamps.json');
  try {
    return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as StampRecord[]) : [];
  } catch {
    return []; // a damaged record must not stop a new stamp
  }
}
