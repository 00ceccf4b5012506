import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

/**
 * bench/scale's baseline, in its own process: `node dist/bench/polite-loop.js <urls.json> <seconds>`.
 * urls.json holds, per host, the URLs to ask in turn (with a Referer where the site wants one).
 * Each host is asked as xjwatch's host gate allows: one request at a time, the next starting a
 * second after the previous one ended; every body is read (still gzipped: the server's work is
 * the same, the client's is less). Prints `{ requests, failures, seconds }` as its last line.
 */
const [file, secs] = process.argv.slice(2);
const hosts = JSON.parse(readFileSync(file!, 'utf8')) as { url: string; referer?: string }[][];
const until = Date.now() + Number(secs) * 1000;
const agent = new Agent({ keepAliveTimeout: 30_000 });
let requests = 0;
let failures = 0;
const t0 = performance.now();
await Promise.all(
  hosts.map(async (urls) => {
    for (let k = 0; Date.now() < until && urls.length; k++) {
      const u = urls[k % urls.length]!;
      try {
        const res = await request(u.url, { dispatcher: agent, headers: { 'accept-encoding': 'gzip', ...(u.referer ? { referer: u.referer } : {}) } });
        await res.body.arrayBuffer();
        requests++;
      } catch {
        failures++;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }),
);
await agent.close();
process.stdout.write(JSON.stringify({ requests, failures, seconds: (performance.now() - t0) / 1000 }) + '\n');
