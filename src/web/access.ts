import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InputError } from '../config/errors.js';

/** Whether a bind address reaches this machine only. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/**
 * The token that guards a view bound beyond loopback (XJWATCH_SERVE_TOKEN). Refused, with the
 * reason, when it is needed and missing or too short to resist guessing.
 */
export function tokenFor(host: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = env.XJWATCH_SERVE_TOKEN?.trim() || undefined;
  if (isLoopback(host)) return token;
  if (!token) {
    throw new InputError(
      `refusing to serve on ${host}: beyond loopback the catalogue (every capture, every mail address in the outbox) is open to the network; set XJWATCH_SERVE_TOKEN to a secret of 16 or more characters, which every request must then give (HTTP Basic password, or "Authorization: Bearer …")`,
      undefined,
      undefined,
      '--host',
    );
  }
  if (token.length < 16) throw new InputError(`XJWATCH_SERVE_TOKEN is ${token.length} characters: a token that guards the view beyond loopback needs 16 or more`);
  return token;
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** What a request gave as the token: a Bearer token, or the password of HTTP Basic (any user name). */
function givenToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(h);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(h);
  if (basic) {
    const pair = Buffer.from(basic[1]!, 'base64').toString('utf8');
    return pair.slice(pair.indexOf(':') + 1);
  }
  return undefined;
}

/**
 * The guards every request passes: the Host header must name this server (a page elsewhere that
 * rebinds its DNS to 127.0.0.1 gets nothing), and with a token set the request must carry it.
 */
export function guard(opts: { hosts: Set<string>; token?: string }) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!opts.hosts.has(host)) return reply.code(421).type('text/plain; charset=utf-8').send(`xjwatch serves only as ${[...opts.hosts].join(' or ')}; this request named host "${host}"`);
    if (!opts.token) return;
    const given = givenToken(req);
    if (given && same(given, opts.token)) return;
    return reply.code(401).header('WWW-Authenticate', 'Basic realm="xjwatch", charset="UTF-8"').type('text/plain; charset=utf-8').send('this view needs the token (XJWATCH_SERVE_TOKEN) as the password');
  };
}

/**
 * Cross-site request forgery: a state-changing request must come from this server's own pages —
 * same origin (Origin, else Sec-Fetch-Site) and a form token derived from a secret of this process.
 */
export class Csrf {
  private readonly secret = randomBytes(32);
  readonly token = createHmac('sha256', this.secret).update('xjwatch form').digest('base64url');

  check(req: FastifyRequest, origins: Set<string>): string | undefined {
    const origin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    if (origin ? !origins.has(origin.toLowerCase()) : site !== undefined && site !== 'same-origin') return `refused: the request came from another site (${origin ?? site})`;
    // a JSON body cannot be sent across sites without a CORS preflight, which this server never answers
    if (req.url.startsWith('/api/') && /^application\/json\b/i.test(req.headers['content-type'] ?? '')) return undefined;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const given = typeof body._csrf === 'string' ? body._csrf : String(req.headers['x-csrf-token'] ?? '');
    if (!given || !same(given, this.token)) return 'refused: the form token is missing or stale (reload the page and try again)';
    return undefined;
  }
}
