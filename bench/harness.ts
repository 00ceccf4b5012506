import { spawn, type ChildProcess } from 'node:child_process';
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
