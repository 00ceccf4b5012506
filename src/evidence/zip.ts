import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { listFiles } from './files.js';

/** Packs a bundle folder into DIR.zip beside it (written aside, then renamed into place). */
export async function zipBundle(dir: string): Promise<string> {
  const target = `${dir.replace(/\/+$/, '')}.zip`;
  const tmp = `${target}.tmp-${process.pid}`;
  const zip = new yazl.ZipFile();
  const top = basename(dir);
  for (const f of listFiles(dir)) zip.addFile(join(dir, f), `${top}/${f}`);
  zip.end();
  try {
    await pipeline(zip.outputStream, createWriteStream(tmp));
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return target;
}
