import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** What a frame is, for grouping: a package, one of our files, a Node module, or V8's own. */
function category(f: ProfileNode['callFrame']): string {
  const { url, functionName } = f;
  if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName || 'anonymous'}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /\/dist\/((?:src|bench)\/.+?)\.js$/.exec(url);
  if (ours) return ours[1]!;
  if (url.startsWith('node:')) return url.replace(/^node:internal\/(?:deps\/)?/, 'node:').replace(/\/.*$/, '');
  return url;
}

const isOwner = (c: string) => !c.startsWith('(') && !c.startsWith('node:');

/**
 * Summary of one `node --cpu-prof` profile: where the sampled time went, by the leaf frame (self
 * time) and by its owner — the nearest frame up the stack that is one of our files or a package,
 * so that a native gzip or a SQLite step is charged to whoever asked for it.
 */
export function summarizeProfile(file: string, top = 12): { totalMs: number; idleMs: number; self: [string, number][]; owners: [string, number][] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ownerOf = new Map<number, string>();
  const owner = (id: number): string => {
    const known = ownerOf.get(id);
    if (known !== undefined) return known;
    let cur: number | undefined = id;
    let found = category(byId.get(id)!.callFrame);
    while (cur !== undefined) {
      const c = category(byId.get(cur)!.callFrame);
      if (isOwner(c)) {
        found = c;
        break;
      }
      cur = parent.get(cur);
    }
    ownerOf.set(id, found);
    return found;
  };
  const self = new Map<string, number>();
  const owners = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const ms = (p.timeDeltas[i + 1] ?? 0) / 1000;
    const node = byId.get(p.samples[i]!)!;
    total += ms;
    const c = category(node.callFrame);
    self.set(c, (self.get(c) ?? 0) + ms);
    const o = c === '(idle)' || c === '(garbage collector)' || c === '(program)' ? c : owner(node.id);
    owners.set(o, (owners.get(o) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { totalMs: total, idleMs: self.get('(idle)') ?? 0, self: sorted(self), owners: sorted(owners) };
}

/** Prints the summary of every profile in `dir` (the main thread's and any worker's). */
export function summarizeProfiles(dir: string): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  for (const f of files) {
    const s = summarizeProfile(join(dir, f));
    const busy = s.totalMs - s.idleMs;
    if (busy < 200) continue; // a thread that did next to nothing
    const pct = (ms: number) => `${((ms / busy) * 100).toFixed(1)}%`;
    console.log(`    profile ${f}: ${(s.totalMs / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy (${((busy / s.totalMs) * 100).toFixed(0)}%)`);
    console.log(`      by owner: ${s.owners.filter(([k]) => k !== '(idle)').map(([k, v]) => `${k} ${pct(v)}`).join(', ')}`);
    console.log(`      by leaf:  ${s.self.filter(([k]) => k !== '(idle)').map(([k, v]) => `${k} ${pct(v)}`).join(', ')}`);
  }
}

// `node dist/bench/cpu-profile.js DIR`: the summaries of the profiles in DIR
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) summarizeProfiles(process.argv[2]!);
