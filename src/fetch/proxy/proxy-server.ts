/**
 * A proxy the fetches go through: an HTTP proxy (CONNECT tunnels) or a SOCKS5 proxy (names resolved
 * by the proxy, as socks5h). config/proxy-setting.ts makes these from XJWATCH_PROXY and site files.
 *
 * The credentials are only reachable through `auth()`: a function is left out by JSON.stringify and
 * shown as `[Function]` by util.inspect, so a proxy that ends up in a log line, a run summary or an
 * error object carries its address and never its user name or password.
 */
export interface ProxyServer {
  protocol: 'http' | 'socks5';
  host: string;
  port: number;
  /** the proxy's URL without credentials: what every message, record and summary names */
  shown: string;
  /** where the setting came from (`XJWATCH_PROXY`, `XJWATCH_PROXY_CN`, `the site file`), for messages */
  from: string;
  /** the user name and password, if the proxy wants them */
  auth?: () => { username: string; password: string };
}

/** The error code a proxy failure carries from the tunnel to errors.ts. */
export const PROXY_FAILED = 'EXJ_PROXY';

/**
 * The proxy did not give us a connection to the origin: not reachable, refused our credentials,
 * refused the destination, or could not reach it. `final`: trying again cannot help (credentials,
 * a destination the proxy forbids).
 */
export class ProxyError extends Error {
  readonly code = PROXY_FAILED;
  constructor(
    message: string,
    readonly final = false,
  ) {
    super(message);
    this.name = 'ProxyError';
  }
}

/** The proxy as a key for pooling (browsers, agents): same address and same user, same key. */
export function proxyKey(p: ProxyServer | undefined): string {
  if (!p) return 'direct';
  return `${p.shown} ${p.auth?.().username ?? ''}`;
}

/** The address a CONNECT line or a SOCKS request names: IPv6 literals in brackets, as URLs carry them. */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Why Chromium cannot use this proxy, if it cannot: it speaks HTTP proxies with a login and SOCKS5
 * proxies without one, but cannot log in to a SOCKS5 proxy (RFC 1929 is not implemented in Chromium).
 */
export function browserProxyProblem(proxy: ProxyServer | undefined): string | undefined {
  if (proxy?.protocol !== 'socks5' || !proxy.auth) return undefined;
  return `Chromium cannot log in to a SOCKS5 proxy (${proxy.shown}, from ${proxy.from}, has a user name and password), so no page of the sites using it is fetched in the browser: JavaScript challenges are not passed and no pictures are made; use an HTTP proxy for those sites, or a SOCKS5 proxy without a login (an ssh -D tunnel on 127.0.0.1)`;
}
