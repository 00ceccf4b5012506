import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../config/errors.js';
import type { Site } from '../config/site-file.js';
import { browserProxyProblem } from '../fetch/proxy/proxy-server.js';
import { redact } from '../store/pg/connection.js';
import { teamCatalogueMade } from '../store/pg/database.js';
import { catalogueUrl, objectStoreLocation } from '../store/storage-setting.js';
import { VERSION } from '../version.js';

export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;

/** A failure at run time that the user should read (exit 1), as opposed to bad input (exit 2). */
export class RuntimeFailure extends Error {
  override name = 'RuntimeFailure';
}

export interface CommonOptions {
  dataDir?: string;
  json?: boolean;
}

export function dataDirOf(opts: CommonOptions): string {
  return resolve(opts.dataDir ?? process.env.XJWATCH_DATA_DIR ?? 'snapshots');
}

/** A data directory that must already hold a catalogue (read-only commands). */
export function existingDataDir(opts: CommonOptions): string {
  const dir = dataDirOf(opts);
  // a team catalogue is the database XJWATCH_DATABASE_URL names, not a file here
  const url = catalogueUrl();
  objectStoreLocation(); // a malformed XJWATCH_BLOBS is named before any reading
  if (url && !teamCatalogueMade(url)) {
    throw new InputError(`no xjwatch catalogue in the team database ${redact(url)} (run \`xjwatch crawl\` first, or unset XJWATCH_DATABASE_URL)`, undefined, undefined, 'XJWATCH_DATABASE_URL');
  }
  if (!url && !existsSync(join(dir, 'xjwatch.db'))) {
    throw new InputError(`no xjwatch catalogue in ${dir} (run \`xjwatch crawl\` first, or pass --data-dir)`, undefined, undefined, '--data-dir');
  }
  return dir;
}

export function userAgent(): string {
  return process.env.XJWATCH_USER_AGENT ?? `xjwatch/${VERSION} (research monitoring of public government pages; +https://github.com/xjwatch/xjwatch)`;
}

/** One JSON object per line on stdout, nothing else (the --json contract). */
export function printJson(obj: unknown): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function err(line = ''): void {
  process.stderr.write(`${line}\n`);
}

/** Page text is untrusted: strip terminal control sequences before it reaches a terminal. */
export function safe(text: string | null | undefined): string {
  // eslint-disable-next-line no-control-regex
  return (text ?? '').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
}

export function parsePositiveInt(flag: string, min = 0) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InputError(`expects a whole number${min ? ` of at least ${min}` : ''}, got "${value}"`, undefined, undefined, flag);
    return n;
  };
}

/** Said once, as soon as a run finds it needs the browser and cannot start it. */
/** Said as a run starts: a site whose proxy the browser cannot use (SOCKS5 with a login) gets no browser. */
export function proxyNotices(sites: Site[]): void {
  for (const s of sites) {
    const problem = s.fetch === 'http' ? undefined : browserProxyProblem(s.proxy);
    if (problem) err(`xjwatch: warning: ${s.id}: ${problem}`);
  }
}

export function browserUnavailableNotice(problem: string): void {
  // on a terminal the progress line is redrawn in place: start a line of our own
  err(`${process.stderr.isTTY ? '\r\x1b[K' : ''}xjwatch: the browser is needed but cannot start. ${problem}. Pages behind JavaScript challenges are reported as blocked, no screenshots or PDF prints are made.`);
}
