import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { ROOT, tempDir } from '../helpers/cli.js';

/**
 * deploy/: the systemd unit and the container image that keep `xjwatch watch` running. The unit
 * is checked by systemd's own parser where systemd-analyze exists; the Dockerfile by what it
 * must say (no docker daemon is needed, none is assumed); the image's health check by running it.
 */

const UNIT = join(ROOT, 'deploy', 'xjwatch.service');
const DOCKERFILE = join(ROOT, 'deploy', 'Dockerfile');
const HEALTHCHECK = join(ROOT, 'deploy', 'healthcheck.mjs');

/** key → values, per section, in order (a key may repeat: Environment=, ExecStart=). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.replace(/\\\n/g, ' ').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq < 0) throw new Error(`not a unit line: ${line}`);
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return sections;
}

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** How long `watch` lets the runs in flight finish after SIGTERM (src/cli/commands/watch.ts). */
function watchGraceSeconds(): number {
  const m = /const GRACE_MS = ([\d_]+);/.exec(readFileSync(join(ROOT, 'src', 'cli', 'commands', 'watch.ts'), 'utf8'));
  if (!m) throw new Error('GRACE_MS not found in watch.ts: keep this test in step with it');
  return Number(m[1]!.replace(/_/g, '')) / 1000;
}

describe('deploy/xjwatch.service', () => {
  const text = readFileSync(UNIT, 'utf8');
  const unit = parseUnit(text);
  const service = unit.get('Service')!;
  const one = (key: string) => {
    const v = service.get(key);
    expect(v, `${key}= in [Service]`).toBeDefined();
    return v![v!.length - 1]!;
  };

  it('runs `xjwatch watch` from /opt/xjwatch as its own user, on the state directory, secrets from /etc/xjwatch/env', () => {
    expect(one('Type')).toBe('simple');
    expect(one('ExecStart')).toBe('/usr/bin/node /opt/xjwatch/bin/xjwatch.js watch');
    expect(existsSync(join(ROOT, 'bin', 'xjwatch.js')), 'ExecStart names bin/xjwatch.js of the checkout').toBe(true);
    expect(one('User')).toBe('xjwatch');
    expect(one('StateDirectory')).toBe('xjwatch');
    expect(service.get('Environment')).toContain('XJWATCH_DATA_DIR=/var/lib/xjwatch');
    expect(one('EnvironmentFile')).toBe('-/etc/xjwatch/env');
    expect(unit.get('Install')?.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('restarts on failure, and stops with SIGTERM after the watcher has had its grace', () => {
    expect(one('Restart')).toBe('on-failure');
    expect(Number(one('RestartSec'))).toBeGreaterThan(0);
    expect(one('KillSignal')).toBe('SIGTERM');
    expect(one('KillMode')).toBe('mixed');
    // the watcher's grace for runs in flight, plus time to seal WARC files and close Chromium
    expect(Number(one('TimeoutStopSec'))).toBeGreaterThanOrEqual(watchGraceSeconds() + 10);
    expect(Number(one('LimitNOFILE'))).toBeGreaterThanOrEqual(4096);
  });

  it('is hardened without breaking V8 or Chromium', () => {
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('ProtectHome')).toBe('yes');
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('ReadWritePaths').split(/\s+/)).toContain('/var/lib/xjwatch');
    // V8's JIT (Node and Chromium) needs writable executable memory; Crawlee reads /proc/meminfo
    expect(service.get('MemoryDenyWriteExecute') ?? []).not.toContain('yes');
    expect(service.get('ProcSubset') ?? []).not.toContain('pid');
    // a system call outside the filter fails, it does not kill Chromium
    if (service.has('SystemCallFilter')) expect(one('SystemCallErrorNumber')).toBe('EPERM');
    // Chromium needs sockets of these kinds
    if (service.has('RestrictAddressFamilies')) expect(one('RestrictAddressFamilies').split(/\s+/)).toEqual(expect.arrayContaining(['AF_UNIX', 'AF_INET', 'AF_INET6']));
  });

  const analyze = which('systemd-analyze');

  /**
   * systemd-analyze verify of a copy whose ExecStart runs this checkout with this Node (verify
   * insists that the executable exists; /usr/bin/node need not, here), so that what it reports is
   * about the unit. It exits 0 on unknown keys and unparsable values (it only warns), so any line
   * it prints about the unit fails the test.
   */
  function verify(unitText: string): { status: number | null; about: string[]; output: string } {
    const dir = tempDir('xjwatch-unit-');
    const copy = join(dir, 'xjwatch.service');
    writeFileSync(copy, unitText.replace(/^ExecStart=\/usr\/bin\/node \/opt\/xjwatch\//m, `ExecStart=${process.execPath} ${ROOT}/`));
    const r = spawnSync(analyze!, ['verify', copy], { encoding: 'utf8', timeout: 60_000 });
    rmSync(dir, { recursive: true, force: true });
    const output = `${r.stdout}${r.stderr}`;
    return { status: r.status, about: output.split('\n').filter((l) => l.includes(copy) || l.includes('xjwatch.service')), output };
  }

  it.skipIf(!analyze)('passes systemd-analyze verify with nothing to say about it', () => {
    const r = verify(text);
    expect(r.about, r.output).toEqual([]);
    expect(r.status, r.output).toBe(0);
  });

  it.skipIf(!analyze)('(the verify check sees a wrong key, a bad value and a missing executable)', () => {
    expect(verify(text.replace(/^KillMode=mixed$/m, 'KillMode=gentle')).about.join('\n')).toMatch(/kill mode/i);
    expect(verify(text.replace(/^LimitNOFILE=/m, 'LimitNOFILES=')).about.join('\n')).toMatch(/Unknown key/);
    const missing = verify(text.replace(/^ExecStart=\/usr\/bin\/node /m, 'ExecStart=/nonexistent/node '));
    expect(missing.status).not.toBe(0);
    expect(missing.about.join('\n')).toMatch(/not executable/);
  });

  it.skipIf(!analyze || spawnSync(analyze ?? 'false', ['security', '--help'], { encoding: 'utf8' }).stdout.indexOf('--offline') < 0)(
    'keeps systemd-analyze security at "OK" or better',
    () => {
      const out = execFileSync(analyze!, ['security', '--offline=yes', UNIT], { encoding: 'utf8' });
      const level = /Overall exposure level for xjwatch\.service: ([\d.]+)/.exec(out);
      expect(level, out).not.toBeNull();
      expect(Number(level![1])).toBeLessThan(3.5);
    },
  );
});

describe('deploy/env.example', () => {
  const text = readFileSync(join(ROOT, 'deploy', 'env.example'), 'utf8');

  it('names every variable of the environment file, and sets none (no secrets in the repository)', () => {
    for (const name of ['XJWATCH_SMTP_URL', 'XJWATCH_MAIL_FROM', 'XJWATCH_TSA_URLS', 'XJWATCH_PROXY', 'XJWATCH_CHROMIUM']) {
      expect(text, name).toMatch(new RegExp(`^#${name}=`, 'm'));
    }
    const set = text.split('\n').filter((l) => /^\s*[A-Z_]+=/.test(l));
    expect(set).toEqual([]);
  });
});

interface Instruction {
  op: string;
  args: string;
}

/** The Dockerfile's instructions by stage (continuations joined, comments dropped). */
function parseDockerfile(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const joined = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    if (op === 'FROM') stages.push([]);
    stages[stages.length - 1]!.push({ op, args: m[2]!.trim() });
  }
  return stages;
}

describe('deploy/Dockerfile', () => {
  const stages = parseDockerfile(readFileSync(DOCKERFILE, 'utf8'));
  const final = stages[stages.length - 1]!;
  const args = (op: string, stage = final) => stage.filter((i) => i.op === op).map((i) => i.args);
  const last = (op: string) => args(op).pop();

  it('is Debian bookworm with Node 20 in every stage', () => {
    for (const s of stages) expect(s[0]!.args).toMatch(/^node:20(\.[\d.]+)?-bookworm-slim(\s+AS\s+\w+)?$/i);
  });

  it('installs Debian\'s chromium, the CJK fonts, openssl, CA certificates and tini in the image that runs', () => {
    const apt = args('RUN').filter((r) => r.includes('apt-get install')).join(' ');
    for (const pkg of ['chromium', 'fonts-noto-cjk', 'openssl', 'ca-certificates', 'tini']) expect(apt.split(/\s+/), pkg).toContain(pkg);
  });

  it('builds with npm ci and the TypeScript build, from files the build context has', () => {
    const all = stages.flat();
    const runs = all.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toMatch(/npm run build\b/);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const p of ['node_modules', 'dist', 'snapshots', 'test-results', '.git']) expect(ignored, `.dockerignore: ${p}`).toContain(p);
    // what the build needs is not ignored
    for (const p of ['src', 'bin', 'crawlers', 'deploy', 'test', 'bench', 'package.json', 'package-lock.json', 'tsconfig.json']) {
      expect(existsSync(join(ROOT, p)), p).toBe(true);
      expect(ignored, `.dockerignore must not leave out ${p}`).not.toContain(p);
    }
    for (const copy of all.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))) {
      for (const src of copy.args.split(/\s+/).slice(0, -1)) expect(existsSync(join(ROOT, src)), `COPY ${src}`).toBe(true);
    }
  });

  it('runs `xjwatch watch` as a non-root user on /data, under tini, stopped by SIGTERM', () => {
    const user = last('USER');
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const env = args('ENV').join(' ');
    expect(env).toMatch(/XJWATCH_DATA_DIR=\/data\b/);
    expect(env).toMatch(/XJWATCH_CHROMIUM=\/usr\/bin\/chromium\b/);
    expect(args('VOLUME').join(' ')).toMatch(/\/data\b/);
    expect(last('STOPSIGNAL')).toBe('SIGTERM');
    const entrypoint = JSON.parse(last('ENTRYPOINT')!) as string[];
    const cmd = JSON.parse(last('CMD')!) as string[];
    expect(entrypoint[0]).toMatch(/(^|\/)tini$/);
    expect(entrypoint).toContain('--');
    expect(entrypoint.slice(entrypoint.indexOf('--') + 1)).toEqual(['node', '/app/bin/xjwatch.js']);
    expect(cmd).toEqual(['watch']);
    expect(last('WORKDIR')).toBe('/app');
  });

  it('checks its health with deploy/healthcheck.mjs, which the image has', () => {
    const hc = last('HEALTHCHECK')!;
    expect(hc).toMatch(/CMD \["node", "\/app\/deploy\/healthcheck\.mjs"\]/);
    expect(existsSync(HEALTHCHECK)).toBe(true);
  });
});

describe('deploy/healthcheck.mjs', () => {
  function check(dataDir: string): { code: number | null; line: string } {
    const r = spawnSync(process.execPath, [HEALTHCHECK], { encoding: 'utf8', env: { ...process.env, XJWATCH_DATA_DIR: dataDir, NO_COLOR: '1' }, timeout: 60_000 });
    return { code: r.status, line: `${r.stdout}${r.stderr}`.trim() };
  }
  const state = (extra: object = {}) => JSON.stringify({ pid: process.pid, started_at: new Date(Date.now() - 60_000).toISOString(), updated_at: new Date().toISOString(), rss_bytes: 1, sites: [], ...extra });

  it('is healthy while the watcher runs and its heartbeat is fresh, before any catalogue and after', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'watch.json'), state());
    expect(check(dir)).toEqual({ code: 0, line: expect.stringMatching(/^healthy: .*no catalogue yet/) });
    openDb(dir).close();
    const withCatalogue = check(dir);
    expect(withCatalogue.code, withCatalogue.line).toBe(0);
    expect(withCatalogue.line).toMatch(/^healthy: .*outbox 0 queued, 0 failing$/);
  });

  it('is unhealthy with no watcher, a stopped one, a stale heartbeat or a pid that is gone', () => {
    const dir = tempDir();
    expect(check(dir)).toEqual({ code: 1, line: expect.stringMatching(/^unhealthy: no readable watch.json/) });
    writeFileSync(join(dir, 'watch.json'), state({ stopped_at: new Date().toISOString() }));
    expect(check(dir)).toEqual({ code: 1, line: expect.stringMatching(/^unhealthy: the watcher \(pid \d+\) stopped at/) });
    writeFileSync(join(dir, 'watch.json'), state({ updated_at: new Date(Date.now() - 5 * 60_000).toISOString() }));
    expect(check(dir)).toEqual({ code: 1, line: expect.stringMatching(/^unhealthy: the watcher's heartbeat is 300 s old/) });
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'watch.json'), state({ pid: Number(gone.stdout) }));
    expect(check(dir)).toEqual({ code: 1, line: expect.stringMatching(/^unhealthy: the watcher's pid \d+ is gone/) });
  });

  it('is unhealthy when the catalogue exists but `xjwatch status` cannot read it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'watch.json'), state());
    writeFileSync(join(dir, 'xjwatch.db'), 'not a database');
    const r = check(dir);
    expect(r.code, r.line).toBe(1);
    expect(r.line).toMatch(/^unhealthy: xjwatch status failed \(exit \d\)/);
  });
});
