import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, median, startFixtureProcess } from './harness.js';

const POSTINGS = 10;
const ROUNDS = 7;
// each costs a Chromium start; fewer rounds keep the bench short
const SCREENSHOT_ROUNDS = 3;
const CLI = join(DIST, '..', 'bin', 'xjwatch.js');

interface Timed {
  wall: number;
  cpu: number;
}

interface Case {
  name: string;
  label: string;
  rounds: number;
  args: (round: number) => string[];
}

/**
 * bench/startup: what a researcher waits for at the prompt. `xjwatch --help`, `xjwatch search`
 * on a small data directory, and an ad-hoc crawl of a 10-posting county site on 127.0.0.1
 * (without and with screenshots), each against `node -e 0` in the same run: wall time and CPU
 * (user + sys of the process and its children: worker threads, Chromium), median of several
 * rounds, cases interleaved so that a noisy neighbour slows all of them alike.
 */
export async function benchStartup(): Promise<Record<string, number>> {
  const server = await startFixtureProcess(['--county-postings', String(POSTINGS), '--no-hostile', '--static']);
  const work = mkdtempSync(join(tmpdir(), 'xjwatch-bench-'));
  try {
    const listUrl = server.urls.county!;
    const crawl = (dir: string, ...more: string[]) => [CLI, 'crawl', listUrl, '--follow', '/info/', '--data-dir', dir, ...more];
    const searchDir = join(work, 'search');
    await timed(crawl(searchDir, '--no-screenshots'));
    const cases: Case[] = [
      { name: 'node', label: 'node -e 0', rounds: ROUNDS, args: () => ['-e', '0'] },
      { name: 'help', label: 'xjwatch --help', rounds: ROUNDS, args: () => [CLI, '--help'] },
      { name: 'search', label: 'xjwatch search 卫星工厂', rounds: ROUNDS, args: () => [CLI, 'search', '卫星工厂', '--data-dir', searchDir] },
      { name: 'crawl', label: `xjwatch crawl <URL> --no-screenshots (${POSTINGS} postings)`, rounds: ROUNDS, args: (r) => crawl(join(work, `crawl-${r}`), '--no-screenshots') },
      { name: 'crawl_screenshots', label: `xjwatch crawl <URL> (with screenshots)`, rounds: SCREENSHOT_ROUNDS, args: (r) => crawl(join(work, `shots-${r}`)) },
    ];
    const runs = new Map<string, Timed[]>(cases.map((c) => [c.name, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const c of cases) if (r < c.rounds) runs.get(c.name)!.push(await timed(c.args(r)));
    }
    const node = summary(runs.get('node')!);
    const figures: Record<string, number> = { postings: POSTINGS, rounds: ROUNDS };
    console.log(`startup: median of ${ROUNDS} rounds (${SCREENSHOT_ROUNDS} with screenshots); wall and CPU (user+sys, children included) in seconds`);
    for (const c of cases) {
      const s = summary(runs.get(c.name)!);
      figures[`${c.name}_wall_s`] = s.wall;
      figures[`${c.name}_cpu_s`] = s.cpu;
      if (c.name !== 'node') {
        figures[`${c.name}_wall_ratio`] = ratio(s.wall, node.wall);
        figures[`${c.name}_cpu_ratio`] = ratio(s.cpu, node.cpu);
      }
      const vs = c.name === 'node' ? '' : `   (× ${ratio(s.wall, node.wall)} wall, × ${ratio(s.cpu, node.cpu)} CPU of node -e 0)`;
      console.log(`  ${c.label.padEnd(52)} wall ${s.wall.toFixed(2)}  CPU ${s.cpu.toFixed(2)}${vs}`);
    }
    return figures;
  } finally {
    server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Runs `node args…` to its end; its CPU is what this process's reaped children gained meanwhile. */
async function timed(args: string[]): Promise<Timed> {
  const before = childCpu();
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`node ${args.slice(1, 3).join(' ')} exited ${code}: ${stderr}`))));
  });
  return { wall: (performance.now() - t0) / 1000, cpu: childCpu() - before };
}

// Node has no getrusage(RUSAGE_CHILDREN); /proc/self/stat's cutime and cstime are the same
// figures, in clock ticks (100 a second on Linux), for every child that was waited for.
function childCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

function summary(runs: Timed[]): Timed {
  return { wall: round2(median(runs.map((r) => r.wall))), cpu: round2(median(runs.map((r) => r.cpu))) };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10) / 10 : 0);
