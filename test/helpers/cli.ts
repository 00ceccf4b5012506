import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { storageEnv } from './catalogue.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'xjwatch.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON Lines (only when every line parses) */
  json: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Runs the real, built CLI (`bin/xjwatch.js`) as a user would, in its own process. */
export function runCli(args: string[], opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', XJWATCH_DATA_DIR: '', ...storageEnv(dataDirIn(args, opts.env, opts.cwd)), ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`xjwatch ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 120_000} ms\n${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      let json: unknown[] = [];
      try {
        json = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      } catch {
        json = [];
      }
      resolvePromise({ code, stdout, stderr, json });
    });
  });
}

/** What a CLI process on this command line needs of the storage matrix (test/helpers/catalogue.ts). */
export function matrixEnv(args: string[], env?: Record<string, string | undefined>): Record<string, string> {
  return storageEnv(dataDirIn(args, env as Record<string, string> | undefined, undefined));
}

/** The data directory a command line names (--data-dir, else XJWATCH_DATA_DIR), absolute. */
export function dataDirIn(args: string[], env: Record<string, string> | undefined, cwd: string | undefined): string | undefined {
  let dir: string | undefined;
  args.forEach((a, i) => {
    if (a === '--data-dir') dir = args[i + 1];
    else if (a.startsWith('--data-dir=')) dir = a.slice('--data-dir='.length);
  });
  dir ??= env?.XJWATCH_DATA_DIR || undefined;
  return dir ? resolve(cwd ?? ROOT, dir) : undefined;
}

export function tempDir(prefix = 'xjwatch-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
