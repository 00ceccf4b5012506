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
    throw e;
  }
}
