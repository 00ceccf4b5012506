#!/usr/bin/env node
// The compiled CLI, bundled (scripts/bundle.ts); `npm ci` builds it (the "prepare" script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/bundle/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('xjwatch: not built yet — run `npm ci` (or `npm run build`) in the xjwatch folder\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv);
// Crawlee leaves one-second timers behind after a run; the work is done and stdout/stderr are
// synchronous on Linux pipes and files, so leave now rather than idle.
process.exit(process.exitCode ?? 0);
