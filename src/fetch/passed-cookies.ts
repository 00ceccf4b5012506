import type { BrowserCookie } from './browser.js';

/**
 * The cookies that got a page past a challenge: those its document request carried, as its answer
 * then set them. Not simply the browser's jar afterwards: a challenged request the browser makes
 * on its own (the favicon; a second page on the host) is answered with a fresh session cookie that
 * replaces the one the page earned, and a jar of mismatched halves would be challenged at once.
 */
export function passedCookies(jar: BrowserCookie[], sentHeader: string | null | undefined, setCookies: string[]): BrowserCookie[] {
  const sent = new Map<string, string>();
  for (const part of (sentHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) sent.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const line of setCookies) {
    const pair = line.split(';', 1)[0]!;
    const eq = pair.indexOf('=');
    if (eq > 0) sent.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return jar.map((c) => (sent.has(c.name) ? { ...c, value: sent.get(c.name)! } : c));
}
