import { statfsSync } from 'node:fs';
import { RunContext } from '../schedule/run-context.js';
import { DataDirBusy } from '../store/writer-lock.js';
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

/** Errors that mean the data directory cannot take more writes: a full disk, a quota, a read-only or failing one. */
const CANNOT_WRITE = /\b(ENOSPC|EDQUOT|EROFS|EIO|SQLITE_FULL|SQLITE_IOERR\w*|SQLITE_READONLY\w*)\b|disk is full|no space left/i;

/** A run stopped by its data directory: said in one line, with what is free and what to do. */
export function writeFailure(e: unknown, dataDir: string): RuntimeFailure | undefined {
  const code = String((e as { code?: unknown })?.code ?? '');
  const message = e instanceof Error ? e.message : String(e);
  if (!CANNOT_WRITE.test(code) && !CANNOT_WRITE.test(message)) return undefined;
  let free = '';
  try {
    const fs = statfsSync(dataDir);
    free = `, ${((fs.bavail * fs.bsize) / 1024 / 1024).toFixed(1)} MiB free`;
  } catch {
    // the folder itself is gone or unreadable: the message says enough
  }
  return new RuntimeFailure(
    `cannot write to ${dataDir} (${code || message}${free}). What was recorded before the failing write is kept and consistent (\`xjwatch verify --data-dir ${dataDir}\` checks it). Free some space, or use --data-dir on a larger disk, and run again.`,
  );
}

/**
 * A write that failed inside the pass (a blob, a WARC record, a catalogue row) is kept as the
 * page's problem so the crawl can go on; when it is the disk, the run as a whole failed.
 */
export function writeFailureIn(outcomes: { problems: { problem: string }[]; failures: { kind: string; message: string }[] }[], dataDir: string): RuntimeFailure | undefined {
  for (const o of outcomes) {
    // only our own wrappers of a thrown error, and fetch failures of no network kind (the recorder
    // threw): a page's text or a server's answer never lands in these
    const own = [...o.problems.map((p) => p.problem).filter((t) => t.startsWith('could not ')), ...o.failures.filter((f) => f.kind === 'other').map((f) => f.message)];
    for (const text of own) {
      const f = CANNOT_WRITE.test(text) ? writeFailure(new Error(text.replace(/^could not [^:]+: /, '')), dataDir) : undefined;
      if (f) return f;
    }
  }
  return undefined;
}
