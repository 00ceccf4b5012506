import { statfsSync } from 'node:fs';
import { RunContext } from '../schedule/run-context.js';
import { DataDirBusy } from '../store/writer-lock.js';
import { cannotWriteReason, WriteFailure } from '../store/write-failure.js';
import { err, RuntimeFailure } from './common.js';

/**
 * A run that writes the data directory: the only one at a time. Another run's hold is waited out
 * (said once, naming it) or, with --no-wait, an exit 1 that names it.
 */
export async function openWriterRun(dataDir: string, command: string, opts: { wait?: boolean }): Promise<RunContext> {
  try {
    return await RunContext.openWriter(dataDir, command, {
      wait: opts.wait !== false,
      onWait: (busy) => err(`xjwatch: ${busy.message}; waiting for it to finish (Ctrl-C to stop; --no-wait exits instead)`),
    });
  } catch (e) {
    if (e instanceof DataDirBusy) throw new RuntimeFailure(`${e.message}; not started (--no-wait). Read-only commands (search, history, events, prove, verify) work meanwhile.`);
    throw writeFailure(e, dataDir) ?? e; // the lock itself could not be written
  }
}

/**
 * A run stopped by its data directory (a write of ours failed: full, read-only, failing disk):
 * said in one line, naming the folder, what is free and what to do. Anything else: undefined.
 */
export function writeFailure(e: unknown, dataDir: string): RuntimeFailure | undefined {
  if (!(e instanceof WriteFailure)) return undefined;
  if (e.code === 'XJ_OBJECT_STORE') {
    const why = e.cause instanceof Error ? e.cause.message : String(e.cause);
    return new RuntimeFailure(
      `the run stopped: ${why}. What was recorded before is kept and consistent (\`xjwatch verify --data-dir ${dataDir}\` checks it). Check XJWATCH_BLOBS and the AWS_* variables (\`xjwatch doctor\`), and run again.`,
    );
  }
  let free = '';
  try {
    const fs = statfsSync(dataDir);
    // a disk of many small files runs out of inodes (file slots) with space to spare: say so
    // when they are what is short (a crawl makes a few thousand files)
    free = `, ${((fs.bavail * fs.bsize) / 1024 / 1024).toFixed(1)} MiB free${fs.files > 0 && fs.ffree < 1000 ? `, ${fs.ffree} inodes free` : ''}`;
  } catch {
    // the folder itself is gone or unreadable: the message says enough
  }
  return new RuntimeFailure(
    `cannot write to ${dataDir}: ${cannotWriteReason(e.code)} (${e.code} writing ${e.target}${free}). What was recorded before the failing write is kept and consistent (\`xjwatch verify --data-dir ${dataDir}\` checks it). Free some space, or use --data-dir on a larger disk, and run again.`,
  );
}
