import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
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
 * Why `host` must not be contacted for a site on `site`, if that is already known from the name:
 * a literal address or localhost of another class than the site's. A page of a public site that
 * sends the crawler to this machine, its network or a cloud metadata address is an attack on the
 * researcher, not a posting; a site that is itself on such an address (a mirror on the LAN, the
 * tests on 127.0.0.1) may stay within its own class. Names pinned by the site file's `resolve:`
 * are the researcher's word and pass; other names are judged when they are resolved, by
 * `guardedLookup`, on the very addresses the connection then uses.
 */
export function nameRefusal(site: AddressClass, host: string, pinned: Record<string, string> = {}): { ip: string; cls: AddressClass } | undefined {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (pinned[name]) return undefined;
  const cls = classOfName(name);
  if (cls === 'public' || cls === site) return undefined;
  return { ip: isIP(name) ? name : '127.0.0.1', cls };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type Resolver = (host: string, opts: LookupAllOptions, cb: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/** The error code a refused address carries from the lookup to errors.ts. */
export const ADDRESS_REFUSED = 'EXJ_ADDRESS_REFUSED';

/**
 * A `dns.lookup` for the HTTP client's sockets: names in `pinned` (`resolve:`) answer their fixed
 * address; every other name is resolved once, and if any address it returns is loopback, private or
 * link-local while the site is not, the connection fails before it is made. Checking here rather
 * than before the request means the check and the connection use the same answer, so a DNS server
 * that says "public" to a first question and "private" to the second (rebinding) gains nothing.
 */
export function guardedLookup(site: AddressClass, pinned: Record<string, string> = {}, resolver: Resolver = dnsLookup as unknown as Resolver) {
  return (host: string, opts: LookupOneOptions | LookupAllOptions, cb: LookupCallback): void => {
    const answer = (addresses: LookupAddress[]) => {
      if (opts?.all) cb(null, addresses);
      else cb(null, addresses[0]!.address, addresses[0]!.family);
    };
    const name = host.replace(/^\[|\]$/g, '').toLowerCase();
    const fixed = pinned[name];
    if (fixed) return answer([{ address: fixed, family: fixed.includes(':') ? 6 : 4 }]);
    resolver(name, { ...opts, all: true }, (err, addresses) => {
      if (err) return cb(err, []);
      if (!addresses?.length) return cb(Object.assign(new Error(`${name} has no address`), { code: 'ENOTFOUND' }), []);
      for (const a of addresses) {
        const cls = classOfIp(a.address);
        if (cls !== 'public' && cls !== site) {
          const why = `${name} resolves to ${a.address}, a ${cls} address, which is not contacted for a ${site} site (pin it with the site file's resolve: if it is meant)`;
          return cb(Object.assign(new Error(why), { code: ADDRESS_REFUSED }), []);
        }
      }
      answer(addresses);
    });
  };
}
