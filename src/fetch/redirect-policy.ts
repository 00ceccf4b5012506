import { isIP } from 'node:net';
import { getPublicSuffix } from 'tough-cookie';

/** Which hosts a site's redirects may reach, besides its own (site file `redirects:`). */
export interface RedirectPolicy {
  /** the site's own hosts: its home's and its lists' */
  siteHosts: string[];
  /** other hosts a redirect may go to: `www.example.cn`, `*.gov.cn` (any host under it), `*` (anywhere) */
  hosts: string[];
}

function bare(host: string): string {
  return host.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

/**
 * The registrable domain of a host, as browsers judge "same site": www.kashi.gov.cn and
 * static.kashi.gov.cn are both kashi.gov.cn, while gov.cn (a public suffix) is nobody's; an
 * address or a bare name is only itself.
 */
export function registrableDomain(host: string): string {
  const h = bare(host);
  if (isIP(h) || !h.includes('.')) return h;
  return getPublicSuffix(h, { allowSpecialUseDomain: true, ignoreError: true }) ?? h;
}

/** One `redirects.hosts` entry against a host name: exact, `*.suffix` (hosts under it), or `*`. */
export function hostMatches(pattern: string, host: string): boolean {
  const p = bare(pattern);
  const h = bare(host);
  if (p === '*') return true;
  if (p.startsWith('*.')) return h.endsWith(p.slice(1));
  return p === h;
}

/**
 * Why a hop from a fetch that began at `start` to `target` is not followed, if it is not. A
 * redirect within the site (its hosts, their subdomains and parent domain, http or https) or
 * within the host the fetch began on (an attachment served elsewhere) is the web's ordinary
 * housekeeping; one to an unrelated host is the posting leaving the site, which the researcher
 * asks to follow by naming the host.
 */
export function offsiteRefusal(policy: RedirectPolicy, start: URL, target: URL): string | undefined {
  const to = registrableDomain(target.hostname);
  const own = [...policy.siteHosts, start.hostname];
  if (own.some((h) => registrableDomain(h) === to)) return undefined;
  if (policy.hosts.some((p) => hostMatches(p, target.hostname))) return undefined;
  return `a redirect to ${target.host} leaves the site (${policy.siteHosts[0] ?? start.hostname}) and is not followed: that host is not in the site file's redirects.hosts`;
}
