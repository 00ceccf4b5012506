import type { ProxyServer } from '../fetch/proxy/proxy-server.js';

/**
 * Which proxy a site's fetches go through (DESIGN.md, Environment: XJWATCH_PROXY):
 *
 *   site file `proxy: none`               direct, whatever XJWATCH_PROXY says
 *   site file `proxy: env:XJWATCH_PROXY_CN`  the whole proxy URL, credentials included, from that variable
 *   site file `proxy: socks5://127.0.0.1:1080` a proxy without a login, written out
 *   no `proxy:`                           XJWATCH_PROXY if set, else direct
 *
 * A proxy URL is `http://[user:password@]host:port` (an HTTP proxy: CONNECT tunnels) or
 * `socks5://[user:password@]host:port` (`socks5h://` is the same: the proxy resolves the names).
 * A site file never holds credentials: site files are shared (crawlers/ is in git, a team passes
 * them around) while proxies and their logins belong to one machine, so the file names a variable
 * and each machine says where that is. The variable must be XJWATCH_PROXY or start with
 * XJWATCH_PROXY_, so that a site file cannot make xjwatch send another secret of the environment
 * to a host of its choosing.
 *
 * The credentials live only in the `auth` closure (see fetch/proxy/proxy-server.ts): what is
 * printed, recorded or serialised is `shown`, the URL without them.
 */
export type SiteProxy = ProxyServer;

/** A variable a site file may name with `env:`. */
export const PROXY_ENV_NAME = /^XJWATCH_PROXY(?:_[A-Z0-9_]+)?$/;

const FORMS = 'http://[user:password@]host:port or socks5://[user:password@]host:port';

/** A proxy URL's problem, in words that never repeat the value (it may hold a password). */
export class ProxyUrlProblem extends Error {}

/** Parses a proxy URL (from the environment, or a site file once checked to hold no login). */
export function parseProxyUrl(value: string, from: string): SiteProxy {
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    throw new ProxyUrlProblem(`is not a URL; write ${FORMS} (percent-encode @ : / in the user name and password: %40 %3A %2F)`);
  }
  const scheme = u.protocol.replace(/:$/, '').toLowerCase();
  const protocol = scheme === 'http' ? 'http' : scheme === 'socks5' || scheme === 'socks5h' ? 'socks5' : undefined;
  if (!protocol) {
    // the unknown "scheme" is never repeated: in user:pass@host:port without a scheme it is the user name
    const why = scheme === 'https' ? 'TLS to the proxy itself is not supported' : scheme.startsWith('socks4') ? 'SOCKS4 is not supported' : 'does not start with http:// or socks5://';
    throw new ProxyUrlProblem(`${why}; write ${FORMS}`);
  }
  if (!u.hostname) throw new ProxyUrlProblem(`names no host; write ${FORMS}`);
  if ((u.pathname && u.pathname !== '/') || u.search || u.hash) throw new ProxyUrlProblem(`has a path or query; a proxy is only ${FORMS}`);
  // the URL parser drops a scheme's default port (http://proxy:80): only a port not written at all is missing
  const written = /^[a-z0-9]+:\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/]*):(\d+)/i.exec(value.trim());
  if (!u.port && !written) throw new ProxyUrlProblem(`names no port; write ${FORMS}`);
  const port = Number(u.port || written![1]);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const shown = `${scheme === 'socks5h' ? 'socks5' : scheme}://${u.host.replace(/:\d+$/, '')}:${port}`;
  let auth: SiteProxy['auth'];
  if (u.username || u.password) {
    let username: string;
    let password: string;
    try {
      username = decodeURIComponent(u.username);
      password = decodeURIComponent(u.password);
    } catch {
      throw new ProxyUrlProblem('has a user name or password that is not properly percent-encoded (@ → %40, : → %3A, / → %2F)');
    }
    auth = () => ({ username, password });
  }
  return { protocol, host, port, shown, from, ...(auth ? { auth } : {}) };
}

/** What is wrong with a site file's `proxy:` value, if anything. Never repeats the value. */
export function siteProxyProblem(value: string): string | undefined {
  const v = value.trim();
  if (v === 'none') return undefined;
  if (v.startsWith('env:')) {
    const name = v.slice(4);
    return PROXY_ENV_NAME.test(name) ? undefined : 'env: must name a variable XJWATCH_PROXY or XJWATCH_PROXY_<NAME> (capitals, digits, _)';
  }
  // a login in any form: user:pass@, user@ — checked before parsing, which might not get that far
  if (/^[a-z0-9+.-]+:\/\/[^/?#]*@/i.test(v)) {
    return 'holds a user name or password: a site file never holds credentials; put the whole proxy URL in an environment variable and write proxy: env:XJWATCH_PROXY_<NAME>';
  }
  try {
    parseProxyUrl(v, 'the site file');
  } catch (e) {
    return `${(e as Error).message}, env:XJWATCH_PROXY_<NAME> or none`;
  }
  return undefined;
}

export interface ProxyChoiceProblem {
  /** the site file's field is at fault (else XJWATCH_PROXY) */
  inSiteFile: boolean;
  message: string;
}

/**
 * The proxy of a site with this `proxy:` value (undefined: the file has none) in this environment;
 * undefined means direct. Throws a ProxyChoiceProblem-shaped error for an unset or bad variable.
 */
export function chooseProxy(fileValue: string | undefined, env: NodeJS.ProcessEnv): SiteProxy | undefined {
  const v = fileValue?.trim();
  if (v === 'none') return undefined;
  if (v?.startsWith('env:')) {
    const name = v.slice(4);
    const value = env[name];
    if (!value?.trim()) throw choiceProblem(true, `${name} is not set (proxy: env:${name} takes the proxy URL from it: ${FORMS}); the site is not fetched another way`);
    return fromEnv(value, name, true);
  }
  if (v) return parseProxyUrl(v, 'the site file');
  const global = env.XJWATCH_PROXY;
  if (global?.trim()) return fromEnv(global, 'XJWATCH_PROXY', false);
  return undefined;
}

function fromEnv(value: string, name: string, inSiteFile: boolean): SiteProxy {
  try {
    return parseProxyUrl(value, name);
  } catch (e) {
    throw choiceProblem(inSiteFile, `${name} ${(e as Error).message}`);
  }
}

function choiceProblem(inSiteFile: boolean, message: string): Error & ProxyChoiceProblem {
  return Object.assign(new Error(message), { inSiteFile, message });
}

export function isProxyChoiceProblem(e: unknown): e is Error & ProxyChoiceProblem {
  return e instanceof Error && typeof (e as Partial<ProxyChoiceProblem>).inSiteFile === 'boolean';
}
