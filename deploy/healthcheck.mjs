#!/usr/bin/env node
// Docker's HEALTHCHECK for `xjwatch watch` (deploy/Dockerfile). Healthy while the watcher is alive
// and its heartbeat is fresh: watch.json in the data directory is rewritten every 10 s by a
// running watcher and gets `stopped_at` when it stops. Once the catalogue exists,
// `xjwatch status --json` must also read it and find the watcher running (status exits 0
// whenever it can read the catalogue, so its exit code alone would not say the watcher lives;
// and before a site's first run there is no catalogue for it to read). Exit 0 healthy, 1 not;
// the line printed is what `docker inspect` shows.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const STALE_S = 90; // the heartbeat is every 10 s; a busy event loop may delay it, not for 90 s
const dataDir = process.env.XJWATCH_DATA_DIR ?? '/data';
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'xjwatch.js');

function done(healthy, line) {
  process.stdout.write(`${healthy ? 'healthy' : 'unhealthy'}: ${line}\n`);
  process.exit(healthy ? 0 : 1);
}

let state;
try {
  state = JSON.parse(readFileSync(join(dataDir, 'watch.json'), 'utf8'));
} catch (e) {
  done(false, `no readable watch.json in ${dataDir} (${e.code ?? e.message}): is \`xjwatch watch\` running on this data directory?`);
}
if (state.stopped_at) done(false, `the watcher (pid ${state.pid}) stopped at ${state.stopped_at}`);
const age = (Date.now() - Date.parse(state.updated_at)) / 1000;
if (!(age < STALE_S)) done(false, `the watcher's heartbeat is ${Math.round(age)} s old (pid ${state.pid}, last ${state.updated_at})`);
try {
  process.kill(state.pid, 0);
} catch (e) {
  if (e.code !== 'EPERM') done(false, `the watcher's pid ${state.pid} is gone`);
}

if (existsSync(join(dataDir, 'xjwatch.db'))) {
  let status;
  try {
    status = JSON.parse(execFileSync(process.execPath, [bin, 'status', '--json', '--data-dir', dataDir], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (e) {
    const said = String(e.stderr ?? e.message).trim().split('\n').pop();
    done(false, `xjwatch status failed (exit ${e.status ?? '?'}): ${said}`);
  }
  if (!status.watcher?.running) done(false, 'xjwatch status says the watcher is not running');
  const sites = status.sites.map((s) => `${s.id} ${s.last_run?.status ?? 'never run'}`).join(', ');
  done(true, `pid ${state.pid}, heartbeat ${Math.round(age)} s ago; ${sites || 'no site run yet'}; outbox ${status.outbox.queued} queued, ${status.outbox.failing} failing`);
}
done(true, `pid ${state.pid}, heartbeat ${Math.round(age)} s ago; no catalogue yet (no site has run)`);
