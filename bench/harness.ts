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
 * (worker threads included), of the children it has waited for (e.g. Crawlee's `ps`) and of its
 * live descendants (the attachment reader, Chromium).
 */
export function procCpuMs(pid: number): number {
  const c = procCpu(pid);
  return c.threads + c.children;
}

const statFields = (file: string) => {
  const stat = readFileSync(file, 'utf8');
  // the command name may hold spaces: the fields start after its closing parenthesis
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
};
const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on Linux
const ticksMs = (ticks: number) => (ticks * 1000) / CLK_TCK;

/** The same, split: all threads, the main thread alone, and children (reaped, and live descendants). */
export function procCpu(pid: number): { threads: number; main: number; children: number } {
  const f = statFields(`/proc/${pid}/stat`);
  const m = statFields(`/proc/${pid}/task/${pid}/stat`);
  let live = 0;
  for (const d of descendants(pid)) {
    try {
      const g = statFields(`/proc/${d}/stat`);
      live += g[11]! + g[12]! + g[13]! + g[14]!;
    } catch {
      // ended between the listing and the read: its parent reaps it, and counts it next time
    }
  }
  return { threads: ticksMs(f[11]! + f[12]!), main: ticksMs(m[11]! + m[12]!), children: ticksMs(f[13]! + f[14]! + live) };
}

/** Every live process below `pid` (children, theirs, ...), from /proc's parent links. */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = statFields(`/proc/${name}/stat`)[1]!;
      parent.set(ppid, [...(parent.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of parent.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** VmRSS and VmHWM (peak) of a live process, in bytes; `tree`: VmRSS of it and its live descendants. */
export function procMemory(pid: number): { rss: number; hwm: number; tree: number } {
  const read = (p: number) => {
    const status = readFileSync(`/proc/${p}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  };
  const own = read(pid);
  let tree = own.rss;
  for (const d of descendants(pid)) {
    try {
      tree += read(d).rss;
    } catch {
      // gone meanwhile
    }
  }
  return { ...own, tree };
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
