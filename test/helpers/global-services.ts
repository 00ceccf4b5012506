import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * vitest globalSetup: a throwaway PostgreSQL 15 and an S3-compatible server on 127.0.0.1
 * (scripts/services.sh start), their addresses in process.env.XJWATCH_TEST_PG and XJWATCH_TEST_S3. vitest 4 builds each run's worker environment
 * from `{ ...process.env, ... }` after the global setups have run (createPool's executeTests in
 * vitest/dist/chunks/cli-api.*.js, called by runFiles after initializeGlobalSetup), so a variable
 * set here reaches every test file, forks and threads alike; no provide/inject needed.
 *
 * A URL already in the environment (a server of one's own, or CI's) is used as it is.
 *
 * No teardown: the server is left running, so the next `npm test` reuses it instead of paying for
 * initdb again, and CI machines are thrown away after the run. `bash scripts/services.sh stop`
 * stops it and removes its data.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export default async function setup(): Promise<void> {
  if (process.env.XJWATCH_TEST_PG && process.env.XJWATCH_TEST_S3) return;
  let out: string;
  try {
    // the script's stderr (the server log's tail and the reason) goes straight to the terminal;
    // it may wait up to 2 minutes for another run's start (flock), then up to 1 for the server
    out = execFileSync('bash', ['scripts/services.sh', 'start'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 240_000,
    });
  } catch (e) {
    throw new Error(`scripts/services.sh start could not start the test PostgreSQL (see its message above): ${(e as Error).message}`);
  }
  const url = /^XJWATCH_TEST_PG=(\S+)$/m.exec(out)?.[1];
  const s3 = /^XJWATCH_TEST_S3=(\S+)$/m.exec(out)?.[1];
  if (!url || !s3) throw new Error(`scripts/services.sh start printed no XJWATCH_TEST_PG= and XJWATCH_TEST_S3= lines: ${JSON.stringify(out)}`);
  process.env.XJWATCH_TEST_PG ??= url;
  process.env.XJWATCH_TEST_S3 ??= s3;
}
