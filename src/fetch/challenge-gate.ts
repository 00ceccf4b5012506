import type { CookieJar } from 'tough-cookie';
import type { BrowserCookie, BrowserFetcher } from './browser.js';
import { detectChallenge } from './challenge.js';
import { FinalFetchError, RetryableFetchError } from './errors.js';
import type { FetchTask } from './fetch-task.js';

/** The HTTP client's cookies for a URL, in the form the browser takes them. */
export async function browserCookies(jar: CookieJar, url: string): Promise<BrowserCookie[]> {
  return (await jar.getCookies(url)).map((c) => ({ name: c.key, value: c.value, domain: c.domain ?? new URL(url).hostname, path: c.path ?? '/', httpOnly: c.httpOnly, secure: c.secure }));
}

/**
 * Stands between an answer and the page handler: a JavaScript challenge is never content. It is
 * passed in the browser, whose cookies go into the HTTP client's jar, and the page is fetched
 * again. Cookies expire and are earned again; a challenge straight after a pass means they do not
 * work, and after two of those, or one the browser could not pass, the host is a wall for this run.
 * A challenge to a request sent before the host's last pass (it waited its turn without those
 * cookies) says nothing about them: it waits for any pass under way and asks again.
 */
export class ChallengeGate {
  private readonly hosts = new Map<string, { passes: number; wall?: string; passing?: Promise<void>; passedAt: number }>();

  constructor(
    private readonly jar: CookieJar,
    /** none: the site is set to fetch: http */
    private readonly browser: BrowserFetcher | undefined,
    private readonly challengeTimeoutMs: number | undefined,
  ) {}

  /**
   * Returns when the answer is not a challenge; otherwise throws, retryable once the browser passed
   * it. `sentAt`: when the challenged request went out (its cookies were read then).
   */
  async admit(t: FetchTask, status: number, body: Buffer, sentAt: Date = new Date()): Promise<void> {
    const challenge = detectChallenge(status, body);
    const host = new URL(t.url).host;
    const h = this.hosts.get(host) ?? { passes: 0, passedAt: 0 };
    this.hosts.set(host, h);
    if (!challenge) {
      h.passes = 0;
      return;
    }
    if (!this.browser) throw new FinalFetchError('challenge', `a ${challenge} challenge (HTTP ${status}); this site is set to fetch: http`);
    if (h.passing || sentAt.getTime() <= h.passedAt) {
      await h.passing;
      if (h.wall) throw new FinalFetchError('challenge', h.wall);
      throw new RetryableFetchError('challenge', `a ${challenge} challenge to a request sent before the browser passed one; fetching again with its cookies`);
    }
    if (h.wall) throw new FinalFetchError('challenge', h.wall);
    if (h.passes >= 2) throw new FinalFetchError('challenge', `the ${challenge} challenge came back straight after ${h.passes} passes in the browser`);
    h.passes++;
    const passing = this.pass(t, challenge, h);
    h.passing = passing.then(
      () => undefined,
      () => undefined,
    );
    try {
      await passing;
    } finally {
      h.passedAt = Date.now();
      h.passing = undefined;
    }
    throw new RetryableFetchError('challenge', `passed a ${challenge} challenge in the browser; fetching again with its cookies`);
  }

  private async pass(t: FetchTask, challenge: string, h: { wall?: string }): Promise<void> {
    const at = passAt(t);
    const passed = await this.browser!.fetch({ url: at, purpose: t.purpose, cookies: await browserCookies(this.jar, at), challengeTimeoutMs: this.challengeTimeoutMs });
    if (!passed.passed) {
      // the browser could not get past it: the host's other pages will not fare better this run
      h.wall = passed.problem ?? `the ${challenge} challenge was not passed`;
      throw new FinalFetchError('challenge', h.wall);
    }
    for (const c of passed.cookies) {
      // host-only cookies for the host that set them (a Domain attribute is refused on an IP host)
      await this.jar.setCookie(`${c.name}=${c.value}; Path=${c.path}`, t.url, { ignoreError: true });
    }
  }
}

/**
 * Where to pass a challenge: the page itself, but for a file (an attachment) its posting on the
 * same host, else the host's home page. Cookies are the host's either way, and a browser sent to a
 * file's URL downloads it once the challenge reloads instead of showing a page that cleared.
 */
function passAt(t: FetchTask): string {
  // an attachment's fetch, or its recheck: both name the posting that links the file
  if (t.purpose.label !== 'attachment' && !t.purpose.parentUrl) return t.url;
  const parent = t.purpose.parentUrl;
  if (parent && new URL(parent).host === new URL(t.url).host) return parent;
  return new URL('/', t.url).href;
}
