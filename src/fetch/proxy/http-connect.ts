import type net from 'node:net';
import { handshake } from './handshake.js';
import { hostPort, ProxyError, type ProxyServer } from './proxy-server.js';

const HEAD_MAX = 16 * 1024;

/**
 * A tunnel to `host:port` through an HTTP proxy (RFC 9110 §9.3.6, CONNECT), used for http: and
 * https: alike: what goes through is exactly what the origin gets, so the request the recorder
 * keeps is the request the origin saw (no absolute-form rewriting, no headers added by the proxy),
 * and the credentials go to the proxy only, in the CONNECT request, never into a record.
 */
export function httpConnect(proxy: ProxyServer, host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  const target = hostPort(host, port);
  return handshake(proxy, timeoutMs, async (reader, socket) => {
    const lines = [`CONNECT ${target} HTTP/1.1`, `Host: ${target}`];
    const auth = proxy.auth?.();
    if (auth) lines.push(`Proxy-Authorization: Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    const head = await reader.read((b) => {
      const end = b.indexOf('\r\n\r\n');
      if (end >= 0) return end + 4;
      if (b.length > HEAD_MAX) throw new ProxyError(`proxy ${proxy.shown} answered CONNECT with more than ${HEAD_MAX} bytes of headers`);
      return 0;
    });
    const status = /^HTTP\/1\.[01] (\d{3})(?: ([^\r\n]*))?\r\n/.exec(head.toString('latin1'));
    if (!status) throw new ProxyError(`proxy ${proxy.shown} (${proxy.from}) does not speak HTTP: is it a SOCKS5 proxy? (write socks5://…)`, true);
    const code = Number(status[1]);
    if (code >= 200 && code < 300) return;
    throw refusal(proxy, target, code, (status[2] ?? '').trim().slice(0, 100), Boolean(auth));
  });
}

/** Why the proxy did not open the tunnel, in the user's words, and whether trying again can help. */
function refusal(proxy: ProxyServer, target: string, code: number, reason: string, withAuth: boolean): ProxyError {
  const said = `HTTP ${code}${reason ? ` ${reason}` : ''}`;
  if (code === 407) {
    return new ProxyError(
      withAuth
        ? `proxy ${proxy.shown} refused the user name and password from ${proxy.from} (${said})`
        : `proxy ${proxy.shown} wants a user name and password (${said}); put them in ${proxy.from} as http://user:password@host:port`,
      true,
    );
  }
  if (code === 403 || code === 405 || code === 400) return new ProxyError(`proxy ${proxy.shown} refused to connect to ${target} (${said})`, true);
  // 502, 503, 504: the proxy could not reach the origin, or not now
  return new ProxyError(`proxy ${proxy.shown} could not connect to ${target} (${said})`);
}
