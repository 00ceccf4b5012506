import http from 'node:http';
import type { LookupAddress } from 'node:dns';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedLookup } from '../../src/fetch/address-class.js';
import type { Exchange } from '../../src/fetch/exchange.js';
import { RecordingHttpClient } from '../../src/fetch/http-client.js';
import { offsiteRefusal, registrableDomain } from '../../src/fetch/redirect-policy.js';

type Answer = { err: NodeJS.ErrnoException | null; addresses: LookupAddress[] };
/** A DNS server that answers what it is told, one answer per question (the last one repeats). */
function scriptedDns(...answers: string[][]) {
  const asked: string[] = [];
  const resolver = (host: string, _o: unknown, cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) => {
    asked.push(host);
    const ips = answers[Math.min(asked.length - 1, answers.length - 1)]!;
    const a: Answer = { err: null, addresses: ips.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })) };
    setImmediate(() => cb(a.err, a.addresses));
  };
  return { resolver, asked };
}

function lookupOnce(l: ReturnType<typeof guardedLookup>, host: string, all = false): Promise<{ err: NodeJS.ErrnoException | null; address: unknown }> {
  return new Promise((r) => l(host, { all } as never, (err, address) => r({ err, address })));
}

describe('the socket lookup judges the addresses the connection uses', () => {
  it('refuses a private, loopback or link-local answer for a public site, even one among public answers', async () => {
    for (const ips of [['10.0.0.7'], ['127.0.0.1'], ['169.254.169.254'], ['203.0.113.9', '192.168.1.1'], ['fd00::1']]) {
      const r = await lookupOnce(guardedLookup('public', {}, scriptedDns(ips).resolver), 'www.kashi.gov.cn', true);
      expect(r.err?.code, ips.join()).toBe('EXJ_ADDRESS_REFUSED');
      expect(r.err?.message).toContain('www.kashi.gov.cn resolves to');
    }
  });

  it('passes public answers, the site\'s own class, and names pinned by resolve:', async () => {
    expect((await lookupOnce(guardedLookup('public', {}, scriptedDns(['203.0.113.9']).resolver), 'www.kashi.gov.cn')).address).toBe('203.0.113.9');
    expect((await lookupOnce(guardedLookup('private', {}, scriptedDns(['10.0.0.7']).resolver), 'mirror.lan')).address).toBe('10.0.0.7');
    const dns = scriptedDns(['10.0.0.7']);
    const pinned = await lookupOnce(guardedLookup('public', { 'county.test': '127.0.0.1' }, dns.resolver), 'county.test', true);
    expect(pinned.address).toEqual([{ address: '127.0.0.1', family: 4 }]);
    expect(dns.asked).toEqual([]);
  });

  it('the HTTP client connects through it: a public site whose name (or a redirect\'s) answers with this machine is not contacted', async () => {
    let hits = 0;
    const server = http.createServer((req, res) => {
      hits++;
      if (req.url === '/hop') return void res.writeHead(302, { Location: `http://rebind.example:${port}/secret` }).end();
      res.end('internal secrets');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const kept: Exchange[] = [];
    // a hostile DNS that points every name at this machine
    const dns = scriptedDns(['127.0.0.1']);
    const client = new RecordingHttpClient({
      userAgent: 'xjwatch-test', perHost: 1, delayMs: 0, timeoutMs: 5000, maxBodyBytes: 1 << 20,
      redirects: { siteHosts: ['public.example'], hosts: ['rebind.example'] },
      resolve: { 'pinned.example': '127.0.0.1' },
      dnsLookup: dns.resolver, sink: (ex) => void kept.push(ex),
    });
    try {
      await expect(client.sendRequest({ url: `http://public.example:${port}/` } as never)).rejects.toMatchObject({ kind: 'address_refused' });
      expect(kept.at(-1)?.error?.message).toContain('public.example resolves to 127.0.0.1, a loopback address');
      // pinned: the researcher's word; its redirect to a name that DNS sends here is refused at the socket
      await expect(client.sendRequest({ url: `http://pinned.example:${port}/hop` } as never)).rejects.toMatchObject({ kind: 'address_refused' });
      expect(hits).toBe(1);
      // one question per connection and none before it, so no second answer can differ from the judged one
      expect(dns.asked).toEqual(['public.example', 'rebind.example']);
      expect(kept.map((e) => [new URL(e.url).hostname, e.response?.status ?? e.error?.kind])).toEqual([
        ['public.example', 'address_refused'],
        ['pinned.example', 302],
        ['rebind.example', 'address_refused'],
      ]);
    } finally {
      client.close();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('which hosts a redirect may reach', () => {
  const policy = { siteHosts: ['www.kashi.gov.cn'], hosts: ['www.ts.cn', '*.xinjiang.gov.cn'] };
  const hop = (to: string) => offsiteRefusal(policy, new URL('http://www.kashi.gov.cn/a/1.html'), new URL(to));
  it('the site\'s own domain (www, bare, other subdomains, either scheme) and listed hosts are followed', () => {
    for (const to of ['https://www.kashi.gov.cn/a/1.html', 'http://kashi.gov.cn/', 'http://static.kashi.gov.cn/f.pdf', 'http://www.ts.cn/x', 'http://zwfw.xinjiang.gov.cn/'])
      expect(hop(to), to).toBeUndefined();
  });
  it('another site under the same public suffix (gov.cn), a look-alike, or the bare domain of a * pattern is not', () => {
    for (const to of ['http://www.kashgar.gov.cn/', 'http://kashi.gov.cn.evil.example/', 'http://xinjiang.gov.cn/', 'http://ts.cn/', 'http://127.0.0.1/'])
      expect(hop(to), to).toContain('is not followed');
    expect(registrableDomain('www.kashi.gov.cn')).toBe('kashi.gov.cn');
    expect(registrableDomain('gov.cn')).toBe('gov.cn');
  });
});
