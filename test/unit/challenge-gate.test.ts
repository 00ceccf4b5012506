import { CookieJar } from 'tough-cookie';
import { describe, expect, it } from 'vitest';
import type { BrowserFetcher, BrowserTask } from '../../src/fetch/browser.js';
import { ChallengeGate } from '../../src/fetch/challenge-gate.js';
import { FinalFetchError, RetryableFetchError } from '../../src/fetch/errors.js';
import type { FetchTask } from '../../src/fetch/fetch-task.js';

/**
 * The gate's bookkeeping, with the browser's part played by a function (the real browser's
 * passes are driven in test/cli/browser.test.ts): how many passes, when, and what is retried.
 */
const CHALLENGE = Buffer.from(`<html><head><meta id="x" content="s" r='m'><script>$_ts=window['$_ts'];</script></head></html>`);
const PAGE = Buffer.from('<html><body>通知公告</body></html>');
const task = (path: string): FetchTask => ({ url: `http://127.0.0.1:9/${path}`, purpose: { siteId: 't', label: 'check' } });

function gateWithBrowser(passMs: number) {
  const passes: BrowserTask[] = [];
  let inPass = 0;
  let mostInPass = 0;
  const browser = {
    fetch: async (t: BrowserTask) => {
      passes.push(t);
      mostInPass = Math.max(mostInPass, ++inPass);
      await new Promise((r) => setTimeout(r, passMs));
      inPass--;
      return { passed: true, finalUrl: t.url, status: 200, html: '', cookies: [{ name: 'S', value: String(passes.length), domain: '127.0.0.1', path: '/', httpOnly: true, secure: false }] };
    },
  } as unknown as BrowserFetcher;
  const jar = new CookieJar();
  return { gate: new ChallengeGate(jar, browser, 5000), jar, passes, mostInPass: () => mostInPass };
}

const outcome = (p: Promise<void>) =>
  p.then(
    () => 'page',
    (e: Error) => (e instanceof RetryableFetchError ? 'again' : e instanceof FinalFetchError ? `final: ${e.message}` : `other: ${e.message}`),
  );

describe('the challenge gate', () => {
  it('passes a challenge once for requests that were all sent before it, and asks each of them again', async () => {
    const { gate, jar, passes, mostInPass } = gateWithBrowser(50);
    const sent = new Date();
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((p) => outcome(gate.admit(task(p), 412, CHALLENGE, sent))));
    expect(results).toEqual(['again', 'again', 'again', 'again']);
    expect(passes).toHaveLength(1);
    expect(mostInPass()).toBe(1);
    expect(await jar.getCookieString('http://127.0.0.1:9/')).toBe('S=1');
  });

  it('counts a challenge to a request that carried a pass’s cookies, and gives the host up after two', async () => {
    const { gate, passes } = gateWithBrowser(5);
    expect(await outcome(gate.admit(task('a'), 412, CHALLENGE, new Date()))).toBe('again');
    await new Promise((r) => setTimeout(r, 5));
    expect(await outcome(gate.admit(task('a'), 412, CHALLENGE, new Date()))).toBe('again');
    await new Promise((r) => setTimeout(r, 5));
    expect(await outcome(gate.admit(task('a'), 412, CHALLENGE, new Date()))).toBe('final: the ruishu challenge came back straight after 2 passes in the browser');
    expect(passes).toHaveLength(2);
  });

  it('starts counting again after a page comes through', async () => {
    const { gate, passes } = gateWithBrowser(5);
    for (let i = 0; i < 4; i++) {
      expect(await outcome(gate.admit(task('a'), 412, CHALLENGE, new Date()))).toBe('again');
      await new Promise((r) => setTimeout(r, 5));
      expect(await outcome(gate.admit(task('a'), 200, PAGE, new Date()))).toBe('page');
    }
    expect(passes).toHaveLength(4);
  });
});
