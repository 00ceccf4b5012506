import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CountyVsbSite } from '../src/demo/sites/county-vsb.js';
import { fixtureListener } from '../src/demo/sites/server.js';

/**
 * bench/scale's imitation sites: `node dist/bench/host-farm.js --hosts N --postings P [--spread S]`, one county
 * site (VSB, GBK, gzip, live view counters, no hostile pages) per loopback address — 127.0.0.2,
 * 127.0.0.3, … 127.0.1.1, … — all on one port, so that each is a host of its own to politeness.
 * Linux routes all of 127/8 to lo; each address is bound separately. Run by a parent over IPC:
 * it sends `{ ready, port, bases }` once listening, and answers `'counts'` with how many requests
 * each host has answered so far (and when each was first asked), without keeping the requests;
 * `'mark'` also starts the first-request times and the per-second series again.
 */

/** The n-th loopback address from 127.0.0.2, skipping .0 and .255 of each /24. */
export function hostAddress(i: number): string {
  let n = 1;
  for (let k = 0; k <= i; k++) {
    n++;
    while ((n & 255) === 0 || (n & 255) === 255) n++;
  }
  return `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export interface FarmCounts {
  at: number;
  answered: number[];
  /** when each host was first asked (epoch ms), or null */
  firstAt: (number | null)[];
  /** answered per second since the first request, all hosts together */
  perSecond: number[];
}

if (process.argv[1]?.endsWith('host-farm.js')) {
  const arg = (name: string, dflt: number) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const hosts = arg('--hosts', 10);
  const postings = arg('--postings', 100);
  // --spread S: host i has postings ± S (deterministic), so that runs of different hosts do not all end at once
  const spread = arg('--spread', 0);
  const answered = new Array<number>(hosts).fill(0);
  const firstAt = new Array<number | null>(hosts).fill(null);
  const perSecond: number[] = [];
  let first = 0;
  const servers: http.Server[] = [];
  // XJ_FARM_TRACE=FILE: every answer (when, host, when asked, path), written at the end
  const trace = process.env.XJ_FARM_TRACE ? ([] as string[]) : undefined;
  const bye = () => {
    if (trace) writeFileSync(process.env.XJ_FARM_TRACE!, trace.join('\n') + '\n');
    process.exit(0);
  };
  let port = 0;
  const bases: string[] = [];
  for (let i = 0; i < hosts; i++) {
    const site = new CountyVsbSite(Math.max(1, postings + (spread ? ((i * 7) % (2 * spread + 1)) - spread : 0)), false);
    const handle = fixtureListener(site, { log: false });
    const server = http.createServer((req, res) => {
      const now = Date.now();
      firstAt[i] ??= now;
      res.on('finish', () => {
        answered[i]!++;
        const t = Date.now();
        if (!first) first = t;
        const s = Math.floor((t - first) / 1000);
        while (perSecond.length <= s) perSecond.push(0);
        perSecond[s]!++;
      });
      if (trace) res.on('finish', () => trace!.push(`${Date.now()} ${i} ${now} ${req.url}`));
      handle(req, res);
    });
    server.keepAliveTimeout = 30_000;
    const address = hostAddress(i);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => resolve());
    });
    port ||= (server.address() as AddressInfo).port;
    site.base = `http://${address}:${port}`;
    bases.push(site.base);
    servers.push(server);
  }
  process.send!({ ready: true, port, bases });
  process.on('message', (m) => {
    if (m === 'mark') {
      firstAt.fill(null);
      perSecond.length = 0;
      first = 0;
    }
    if (m === 'counts' || m === 'mark') process.send!({ at: Date.now(), answered, firstAt, perSecond } satisfies FarmCounts);
  });
  process.on('disconnect', bye);
  process.on('SIGINT', bye);
}
