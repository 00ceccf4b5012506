import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { httpConnect } from './http-connect.js';
import type { ProxyServer } from './proxy-server.js';
import { socks5Connect } from './socks5.js';

/** A connection to the origin through the proxy, ready for its first byte. */
export function openThrough(proxy: ProxyServer, host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return proxy.protocol === 'socks5' ? socks5Connect(proxy, host, port, timeoutMs) : httpConnect(proxy, host, port, timeoutMs);
}

const KEEP_ALIVE = { keepAlive: true, maxSockets: 16 } as const;

/**
 * Keep-alive agents whose connections are tunnels through one proxy: plain HTTP spoken inside the
 * tunnel for http:, TLS for https:. Sockets are pooled per origin as usual, so a site's pages reuse
 * one tunnel. `handshakeMs`: how long the proxy has to open a tunnel.
 */
export function proxyAgents(proxy: ProxyServer, handshakeMs: number): { http: http.Agent; https: https.Agent } {
  return { http: new TunnelAgent(proxy, handshakeMs), https: new TlsTunnelAgent(proxy, handshakeMs) };
}

type Callback = (err: Error | null, stream: Duplex) => void;

class TunnelAgent extends http.Agent {
  constructor(
    private readonly proxy: ProxyServer,
    private readonly handshakeMs: number,
  ) {
    super(KEEP_ALIVE);
  }

  override createConnection(options: http.ClientRequestArgs, callback?: Callback): null {
    openThrough(this.proxy, String(options.host), Number(options.port) || 80, this.handshakeMs).then(
      (socket) => callback?.(null, socket),
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return null;
  }
}

class TlsTunnelAgent extends https.Agent {
  constructor(
    private readonly proxy: ProxyServer,
    private readonly handshakeMs: number,
  ) {
    super(KEEP_ALIVE);
  }

  override createConnection(options: https.RequestOptions, callback?: Callback): null {
    openThrough(this.proxy, String(options.host), Number(options.port) || 443, this.handshakeMs).then(
      (socket) => {
        // TLS with the origin inside the tunnel: the proxy sees only ciphertext
        const secure = tls.connect({ ...(options as tls.ConnectionOptions), socket, host: undefined, port: undefined });
        callback?.(null, secure);
      },
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return null;
  }
}
