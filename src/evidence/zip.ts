import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { listFiles } from './files.js';

/** Packs a bundle folder into DIR.zip beside it (written aside, then renamed into place). */
export async function zipBundle(dir: string): Promise<string> {
  const target = `${dir.replace(/\/+$/, '')}.zip`;
  const zip = new yazl.ZipFile();
  const top = basename(dir);
  for (const f of listFiles(dir)) zip.addFile(join(dir, f), `${top}/${f}`);
  await writeZip(zip, target);
  return target;
}

/** Ends a zip and writes it to `target`: aside first, then renamed into place, so no half-written zip is ever seen there. */
export async function writeZip(zip: yazl.ZipFile, target: string): Promise<void> {
  const tmp = `${target}.tmp-${process.pid}`;
  zip.end();
  try {
    await pipeline(zip.outputStream, createWriteStream(tmp));
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
