import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** Where an address leads: the open internet, or somewhere only this machine or its network reaches. */
export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local';

/** The class of an IP address (v4, v6, v4-mapped v6). */
export function classOfIp(ip: string): AddressClass {
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/i.exec(ip);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    if (a === 127 || a === 0) return 'loopback';
    if (a === 169 && b === 254) return 'link-local';
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return 'private';
    return 'public';
  }
  const v6 = ip.toLowerCase();
  if (v6 === '::1' || v6 === '::') return 'loopback';
  if (/^fe[89ab]/.test(v6)) return 'link-local';
  if (/^f[cd]/.test(v6)) return 'private';
  return 'public';
}

/** The class a host name or literal is on by its name alone: literals and localhost, else public. */
export function classOfName(host: string): AddressClass {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(h)) return classOfIp(h);
  if (h === 'localhost' || h.endsWith('.localhost')) return 'loopback';
  return 'public';
}

/**
 * Why a redirect to `target` must not be followed from a site on `siteHost`, if it must not: a
 * page of a public site that sends the crawler to this machine, its network or a cloud metadata
 * address is an attack on the researcher, not a posting. A site that is itself on such an
 * address (a mirror on the LAN, the tests on 127.0.0.1) may redirect within its own class.
 * Names are resolved (through the site's `resolve:` first) before anything is sent.
 */
export async function redirectRefusal(siteHost: string, target: URL, fixed: Record<string, string> = {}): Promise<string | undefined> {
  const site = classOfName(siteHost);
  const name = target.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (fixed[name]) addresses = [fixed[name]!];
  else if (isIP(name)) addresses = [name];
  else if (classOfName(name) === 'loopback') addresses = ['127.0.0.1'];
  else {
    try {
      addresses = (await lookup(name, { all: true })).map((a) => a.address);
    } catch {
      return undefined; // does not resolve: the fetch itself will say so (dns)
    }
  }
  for (const ip of addresses) {
    const c = classOfIp(ip);
    if (c !== 'public' && c !== site) return `a redirect to ${target.host} (${ip}, a ${c} address) from a ${site === 'public' ? 'public' : site} site is not followed`;
  }
  return undefined;
}
