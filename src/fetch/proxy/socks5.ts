import net from 'node:net';
import { handshake } from './handshake.js';
import { hostPort, ProxyError, type ProxyServer } from './proxy-server.js';

/** RFC 1928 §6 reply codes, in words; `final`: the proxy will say the same next time. */
const REPLIES: Record<number, { says: string; final: boolean }> = {
  1: { says: 'general SOCKS server failure', final: false },
  2: { says: 'connection not allowed by its rules', final: true },
  3: { says: 'network unreachable', final: false },
  4: { says: 'host unreachable (or its name did not resolve at the proxy)', final: false },
  5: { says: 'connection refused by the destination', final: false },
  6: { says: 'TTL expired', final: false },
  7: { says: 'command not supported', final: true },
  8: { says: 'address type not supported', final: true },
};

/**
 * A connection to `host:port` through a SOCKS5 proxy (RFC 1928), logging in with a user name and
 * password (RFC 1929) when the setting has them. A host name is sent as a name (ATYP 3): the proxy
 * resolves it, in the network that reaches the site (curl's socks5h), and this machine's DNS never
 * sees it.
 */
export function socks5Connect(proxy: ProxyServer, host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  const target = hostPort(host, port);
  return handshake(proxy, timeoutMs, async (reader, socket) => {
    const auth = proxy.auth?.();
    // methods offered: 0 (none), and 2 (user name and password) when we have them
    socket.write(Buffer.from(auth ? [5, 2, 0, 2] : [5, 1, 0]));
    const choice = await reader.read(() => 2);
    if (choice[0] !== 5) throw new ProxyError(`proxy ${proxy.shown} (${proxy.from}) does not speak SOCKS5: is it an HTTP proxy? (write http://…)`, true);
    if (choice[1] === 0xff) {
      throw new ProxyError(
        auth ? `proxy ${proxy.shown} accepts none of the SOCKS5 login methods offered (none, user name and password)` : `proxy ${proxy.shown} wants a user name and password; put them in ${proxy.from} as socks5://user:password@host:port`,
        true,
      );
    }
    if (choice[1] === 2) {
      if (!auth) throw new ProxyError(`proxy ${proxy.shown} asked for a login method that was not offered`, true);
      await login(proxy, auth, reader, socket);
    } else if (choice[1] !== 0) throw new ProxyError(`proxy ${proxy.shown} chose SOCKS5 method ${choice[1]}, which was not offered`, true);
    socket.write(Buffer.concat([Buffer.from([5, 1, 0]), address(host), Buffer.from([port >> 8, port & 0xff])]));
    const reply = await reader.read(replyLength);
    if (reply[0] !== 5) throw new ProxyError(`proxy ${proxy.shown} answered the SOCKS5 request with version ${reply[0]}`, true);
    if (reply[1] !== 0) {
      const r = REPLIES[reply[1]!] ?? { says: `reply code ${reply[1]}`, final: false };
      throw new ProxyError(`proxy ${proxy.shown} could not connect to ${target}: ${r.says} (SOCKS5 reply ${reply[1]})`, r.final);
    }
  });
}

async function login(proxy: ProxyServer, auth: { username: string; password: string }, reader: Parameters<Parameters<typeof handshake>[2]>[0], socket: net.Socket): Promise<void> {
  const user = Buffer.from(auth.username, 'utf8');
  const pass = Buffer.from(auth.password, 'utf8');
  if (user.length > 255 || pass.length > 255) throw new ProxyError(`the user name or password in ${proxy.from} is longer than SOCKS5 allows (255 bytes each)`, true);
  socket.write(Buffer.concat([Buffer.from([1, user.length]), user, Buffer.from([pass.length]), pass]));
  const status = await reader.read(() => 2);
  if (status[1] !== 0) throw new ProxyError(`proxy ${proxy.shown} refused the user name and password from ${proxy.from} (SOCKS5 login status ${status[1]})`, true);
}

/** DST.ADDR: an IPv4 or IPv6 literal as such, anything else as a name for the proxy to resolve. */
function address(host: string): Buffer {
  const h = host.replace(/^\[|\]$/g, '');
  if (net.isIPv4(h)) return Buffer.from([1, ...h.split('.').map(Number)]);
  if (net.isIPv6(h)) return Buffer.concat([Buffer.from([4]), ipv6Bytes(h)]);
  const name = Buffer.from(h, 'ascii');
  if (name.length > 255) throw new ProxyError(`host name ${h.slice(0, 40)}… is longer than SOCKS5 allows`, true);
  return Buffer.concat([Buffer.from([3, name.length]), name]);
}

function ipv6Bytes(ip: string): Buffer {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const parts = (s: string | undefined) => (s ? s.split(':') : []);
  const groups = (g: string[]) =>
    g.flatMap((x) => {
      if (x.includes('.')) {
        const [a, b, c, d] = x.split('.').map(Number) as [number, number, number, number];
        return [(a << 8) | b, (c << 8) | d];
      }
      return [parseInt(x, 16)];
    });
  const left = groups(parts(head));
  const right = groups(parts(tail));
  const all = tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** How long the reply to CONNECT is: 4 bytes, the bound address (by its type), 2 of port. */
function replyLength(b: Buffer): number {
  if (b.length < 5) return 0;
  const atyp = b[3];
  if (atyp === 1) return 4 + 4 + 2;
  if (atyp === 4) return 4 + 16 + 2;
  if (atyp === 3) return 4 + 1 + b[4]! + 2;
  // a failure reply may come with a bad address type; what matters is its code
  return b[1] !== 0 ? b.length : 4 + 4 + 2;
}
