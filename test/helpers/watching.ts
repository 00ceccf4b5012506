import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, ROOT, matrixEnv } from './cli.js';

/** A running `xjwatch watch --json`: its events as they arrive, its stderr, and how it ended. */
export class Watching {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly events: any[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [BIN, 'watch', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', XJWATCH_DATA_DIR: '', ...matrixEnv(args, env), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) if (l.trim()) this.events.push(JSON.parse(l));
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((r) => this.child.on('exit', (code, signal) => r({ code, signal })));
  }

  async until(what: string, test: () => boolean | Promise<boolean>, ms = 90_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await test())) {
      if (Date.now() > end) throw new Error(`no ${what} within ${ms} ms\n${this.stderr.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM, and the exit code of the clean stop. */
  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return (await this.exited).code;
  }
}
