import { linkSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Who writes a data directory now: kept in `<data-dir>/writer.lock` while a run lasts. */
export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

/** The data directory is being written by another run, which is named. */
export class DataDirBusy extends Error {
  override name = 'DataDirBusy';
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
  ) {
    super(`${dir} is being written by another xjwatch run: pid ${holder.pid}${holder.host !== hostname() ? ` on ${holder.host}` : ''}, \`${holder.command}\`, since ${holder.since}`);
  }
}

const FILE = 'writer.lock';

/**
 * One writer per data directory. Two crawls on one catalogue would both fetch everything and
 * keep every posting twice; readers (search, history, prove, verify) need no lock, SQLite's WAL
 * lets them read while a run writes. A lock whose process is gone (killed, crashed) is taken
 * over; one held on another host cannot be checked and is left to the operator.
 */
export class WriterLock {
  private constructor(
    private readonly path: string,
    private readonly token: string,
  ) {}

  /** Takes the lock, or throws DataDirBusy naming its holder. */
  static take(dir: string, command: string): WriterLock {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, FILE);
    const me: LockHolder = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
    const text = `${JSON.stringify(me)}\n`;
    const tmp = `${path}.${process.pid}`;
    writeFileSync(tmp, text);
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          // a hard link is created whole or not at all: of two runs starting at once exactly one
          // gets it, and nobody ever reads a half-written lock
          linkSync(tmp, path);
          return new WriterLock(path, text);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
        const holder = readHolder(path);
        if (holder && isAlive(holder)) throw new DataDirBusy(dir, holder);
        removeStale(path, holder);
      }
    } finally {
      unlinkSync(tmp);
    }
    throw new DataDirBusy(dir, readHolder(path) ?? { pid: 0, host: '?', command: '?', since: '?' });
  }

  /** Takes the lock, waiting for the holder to finish; `onWait` is told once, with why. */
  static async wait(dir: string, command: string, onWait: (busy: DataDirBusy) => void, pollMs = 1000): Promise<WriterLock> {
    let told = false;
    for (;;) {
      try {
        return WriterLock.take(dir, command);
      } catch (e) {
        if (!(e instanceof DataDirBusy)) throw e;
        if (!told) onWait(e);
        told = true;
        await new Promise((r) => setTimeout(r, pollMs));
      }
    }
  }

  /** Gives the lock up, if it is still ours. */
  release(): void {
    try {
      if (readFileSync(this.path, 'utf8') === this.token) unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}

/**
 * Removes a dead run's lock. Only the run that makes the takeover folder may, and it looks again
 * first: a run that found the same dead holder a moment later must not remove the new lock.
 */
function removeStale(path: string, seen: LockHolder | undefined): void {
  const takeover = `${path}.takeover`;
  try {
    mkdirSync(takeover);
  } catch {
    // another run is taking over; a takeover left by a crash is cleared after half a minute
    try {
      if (Date.now() - statSync(takeover).mtimeMs > 30_000) rmdirSync(takeover);
    } catch {
      // gone meanwhile
    }
    return;
  }
  try {
    const now = readHolder(path);
    if (JSON.stringify(now) === JSON.stringify(seen)) unlinkSync(path);
  } catch {
    // already removed
  } finally {
    rmdirSync(takeover);
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    return typeof h.pid === 'number' ? { pid: h.pid, host: String(h.host ?? ''), command: String(h.command ?? ''), since: String(h.since ?? '') } : undefined;
  } catch {
    return undefined; // not a lock xjwatch wrote: treated as a dead run's
  }
}

function isAlive(h: LockHolder): boolean {
  if (h.host !== hostname()) return true;
  if (h.pid === process.pid) return false;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
