import { linkSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { redact } from './pg/connection.js';
import { TeamLock } from './pg/team-lock.js';
import { catalogueUrl } from './storage-setting.js';
import { objectStore } from './objects/object-store.js';
import { sendUnsentWarcs } from './objects/local-copy.js';

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
    /** the team catalogue the holder writes, when it is that lock that is held */
    readonly catalogue?: string,
  ) {
    super(`${catalogue ? `the team catalogue ${catalogue}` : dir} is being written by another xjwatch run: pid ${holder.pid}${holder.host !== hostname() ? ` on ${holder.host}` : ''}, \`${holder.command}\`, since ${holder.since}`);
  }
}

const FILE = 'writer.lock';

/**
 * One writer per data directory. Two crawls on one catalogue would both fetch everything and
 * keep every posting twice; readers (search, history, prove, verify) need no lock, SQLite's WAL
 * lets them read while a run writes. A lock whose process is gone (killed, crashed) is taken
 * over, and so is one left untouched for five minutes (a held lock is touched every 30 s), wherever
 * its holder ran: a killed container's, a crashed machine's whose pid was reused.
 */
export class WriterLock {
  private constructor(
    private readonly path: string,
    private readonly token: string,
  ) {}

  /**
   * Takes the lock, or throws DataDirBusy naming its holder. `team: false`: without the team
   * catalogue's writer lock (a watcher on the team's job queue, whose jobs take it shared, one by
   * one: team-queue.ts).
   */
  static take(dir: string, command: string, opts: { team?: boolean } = {}): WriterLock {
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
          const lock = new WriterLock(path, text);
          return (opts.team === false ? lock : lock.withTeamLock(dir, command)).withUnsentFilesSent(dir).keepFresh();
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
        const holder = readHolder(path);
        if (holder && isAlive(holder) && !silent(path)) throw new DataDirBusy(dir, holder);
        removeStale(path, holder);
      }
    } finally {
      unlinkSync(tmp);
    }
    throw new DataDirBusy(dir, readHolder(path) ?? { pid: 0, host: '?', command: '?', since: '?' });
  }

  /** Takes the lock, waiting for the holder to finish; `onWait` is told once, with why. */
  static async wait(dir: string, command: string, onWait: (busy: DataDirBusy) => void, pollMs = 1000, opts: { team?: boolean } = {}): Promise<WriterLock> {
    let told = false;
    for (;;) {
      try {
        return WriterLock.take(dir, command, opts);
      } catch (e) {
        if (!(e instanceof DataDirBusy)) throw e;
        if (!told) onWait(e);
        told = true;
        await new Promise((r) => setTimeout(r, pollMs));
      }
    }
  }

  private timer: NodeJS.Timeout | undefined;
  private team: TeamLock | undefined;

  /**
   * With a team catalogue, its writer lock too: another machine's run has another data directory
   * but writes the same catalogue. Refused, the data directory's lock is given back.
   */
  private withTeamLock(dir: string, command: string): this {
    const url = catalogueUrl();
    if (!url) return this;
    let got;
    try {
      got = TeamLock.take(url, command);
    } catch (e) {
      this.release();
      throw e;
    }
    if (!(got instanceof TeamLock)) {
      this.release();
      throw new DataDirBusy(dir, got, redact(url));
    }
    this.team = got;
    return this;
  }

  /**
   * In team storage, the WARC files a killed run of this data directory never sent to the object
   * store go now: the lock says no run of this folder is writing them.
   */
  private withUnsentFilesSent(dir: string): this {
    const store = objectStore();
    if (!store) return this;
    try {
      sendUnsentWarcs(dir, store, processAlive);
    } catch (e) {
      this.release();
      throw e;
    }
    return this;
  }

  /**
   * Touches the lock while it is held: a holder on another host (a replaced container, a shared
   * disk) cannot be asked whether it lives, and a pid may be reused after a reboot, so a lock
   * left untouched for STALE_MS is a dead run's whoever wrote it.
   */
  private keepFresh(): this {
    this.timer = setInterval(() => {
      try {
        const now = new Date();
        utimesSync(this.path, now, now);
      } catch {
        // a full disk still lets a lock's times change; a lock gone is released anyway
      }
    }, FRESH_MS);
    this.timer.unref();
    return this;
  }

  /** Gives the lock up, if it is still ours. */
  release(): void {
    clearInterval(this.timer);
    this.team?.release();
    this.team = undefined;
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

/** How often a held lock is touched, and after how long untouched it counts as a dead run's. */
const FRESH_MS = 30_000;
const STALE_MS = 5 * 60_000;

function silent(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > STALE_MS;
  } catch {
    return false;
  }
}

function isAlive(h: LockHolder): boolean {
  if (h.host !== hostname()) return true;
  if (h.pid === process.pid) return false;
  return processAlive(h.pid);
}

/** Whether a process on this machine still runs (one we may not signal still runs). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
