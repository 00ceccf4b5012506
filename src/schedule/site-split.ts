import { isIP } from 'node:net';
import type { Site } from '../config/site-file.js';
import { hostMatches, registrableDomain } from '../fetch/redirect-policy.js';

/**
 * The watcher's sites in `n` shares, one per worker thread. Each worker has its own host gate, so
 * every site that may reach a host another site reaches must be in the same share: sites are
 * grouped by the hosts their file names (home, lists, pinned pages, redirect hosts — a redirect
 * within a site's domain is always followed, so a named host stands for its registrable domain),
 * then the groups are dealt out largest first, each to the share with the fewest sites. Shares
 * keep the sites' order; empty ones are dropped (fewer groups than workers).
 */
export function splitSites(sites: Site[], n: number): Site[][] {
  const groups = hostGroups(sites).sort((a, b) => b.length - a.length);
  const shares: Site[][] = Array.from({ length: Math.max(1, n) }, () => []);
  for (const g of groups) shares.reduce((min, s) => (s.length < min.length ? s : min)).push(...g);
  const order = new Map(sites.map((s, i) => [s, i]));
  return shares.filter((s) => s.length).map((s) => s.sort((a, b) => order.get(a)! - order.get(b)!));
}

/** Sites that share a host, directly or through others, in one group. */
export function hostGroups(sites: Site[]): Site[][] {
  const parent = sites.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  const join = (a: number, b: number) => void (parent[root(a)] = root(b));
  const owner = new Map<string, number>();
  const names = sites.map(siteHostNames);
  sites.forEach((site, i) => {
    for (const key of names[i]!.map(hostKey)) {
      const o = owner.get(key);
      if (o === undefined) owner.set(key, i);
      else join(i, o);
    }
    // a redirect host has no port (`127.0.0.1`, `*.gov.cn`, `*`): every site on a host it matches is a neighbour
    for (const p of site.redirects.hosts) {
      names.forEach((hosts, j) => {
        if (j !== i && hosts.some((h) => hostMatches(p, h.replace(/:\d+$/, '')))) join(i, j);
      });
    }
  });
  const byRoot = new Map<number, Site[]>();
  sites.forEach((s, i) => {
    const r = root(i);
    byRoot.set(r, [...(byRoot.get(r) ?? []), s]);
  });
  return [...byRoot.values()];
}

/** Host names (with the port, the host gate's key) a site's file names; exact redirect hosts too. */
function siteHostNames(site: Site): string[] {
  const urls = [site.home, ...site.lists.map((l) => l.url), ...site.pinned];
  const hosts = urls.map((u) => new URL(u).host.toLowerCase());
  return [...new Set([...hosts, ...site.redirects.hosts.filter((h) => !h.startsWith('*')).map((h) => h.toLowerCase())])];
}

/** An address is only itself (each port its own host, as the gate sees it); a name stands for its domain. */
function hostKey(host: string): string {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return isIP(name) ? host : registrableDomain(name);
}

/** `total` site slots over shares of these sizes, in proportion, each at least one (largest remainders). */
export function divideConcurrency(total: number, sizes: number[]): number[] {
  const sum = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((s) => (total * s) / sum);
  const out = exact.map((x) => Math.max(1, Math.floor(x)));
  let left = total - out.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r);
  for (let k = 0; left > 0; k = (k + 1) % out.length, left--) out[byRemainder[k]!.i]!++;
  // the floors of one were raised above their share: take back from the largest
  while (left < 0) {
    const big = out.indexOf(Math.max(...out));
    if (out[big]! <= 1) break;
    out[big]!--;
    left++;
  }
  return out;
}
