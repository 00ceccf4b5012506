import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DIST = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface ChildResult {
  [k: string]: unknown;
}

/** Runs `node <script> args…` and returns the JSON object it prints last. */
export function runChild(script: string, args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as ChildResult);
      } catch {
        reject(new Error(`${script} exited ${code} without a JSON result: ${out.slice(-500)}`));
      }
    });
  });
}

/** The fixture sites in their own process, so that serving does not compete with crawling. */
export async function startFixtureProcess(args: string[]): Promise<{ urls: Record<string, string>; stop: () => void; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(DIST, 'src/demo/sites/server.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const urls: Record<string, string> = {};
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      for (const line of buf.split('\n')) {
        const m = /^(\w+)\s+\S+\s+(http:\/\/\S+)$/.exec(line.trim());
        if (m) urls[m[1]!] = m[2]!;
      }
      if (buf.includes('serving until')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`fixture server exited ${code}`)));
  });
  return { urls, child, stop: () => child.kill('SIGINT') };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/**
 * CPU time of a live process, in ms, from /proc (Linux only): user + system of all its threads
 * (worker threads included) and of the children it has waited for (e.g. Crawlee's `ps`).
 */
export function procCpuMs(pid: number): number {
  const c = procCpu(pid);
  return c.threads + c.children;
}

/** The same, split: all threads, the main thread alone, and reaped children. */
export function procCpu(pid: number): { threads: number; main: number; children: number } {
  const fields = (file: string) => {
    const stat = readFileSync(file, 'utf8');
    // the command name may hold spaces: the fields start after its closing parenthesis
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  };
  const f = fields(`/proc/${pid}/stat`);
  const m = fields(`/proc/${pid}/task/${pid}/stat`);
  const ms = (ticks: number) => (ticks * 1000) / CLK_TCK;
  return { threads: ms(f[11]! + f[12]!), main: ms(m[11]! + m[12]!), children: ms(f[13]! + f[14]!) };
}
const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on Linux

/** VmRSS and VmHWM (peak) of a live process, in bytes. */
export function procMemory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Open file descriptors of a live process. */
export function procFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Waits for a child to exit, at most `ms`; true if it did. */
export function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => (clearTimeout(t), resolve(true)));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
