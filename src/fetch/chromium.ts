import { accessSync, constants, existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** The flags a headless Chromium needs as root in a container, and to stay off the network. */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze(['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--dns-prefetch-disable']);

/** What a user does about a browser that is missing or broken. */
export const CHROMIUM_FIX = 'run `npm run setup` in the xjwatch folder (it installs Debian\'s chromium), or set XJWATCH_CHROMIUM to a Chromium executable';

const SYSTEM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export interface ChromiumLocation {
  /** the executable to launch; undefined when none was found */
  path?: string;
  /** where it looked, in order, for the message when nothing is there */
  tried: string[];
  /** why `path` is not usable, when it was named but is not there */
  problem?: string;
}

/**
 * Where the browser is: XJWATCH_CHROMIUM (and nothing else when it is set: a named browser that
 * is missing is an error, not a reason to run another), Debian's /usr/bin/chromium, else
 * Playwright's own download if one was made.
 */
export async function locateChromium(): Promise<ChromiumLocation> {
  const named = process.env.XJWATCH_CHROMIUM;
  if (named) {
    const tried = [`XJWATCH_CHROMIUM=${named}`];
    if (!existsSync(named)) return { tried, problem: `XJWATCH_CHROMIUM names ${named}, which does not exist` };
    try {
      accessSync(named, constants.X_OK);
    } catch {
      return { tried, problem: `XJWATCH_CHROMIUM names ${named}, which is not executable` };
    }
    return { path: named, tried };
  }
  const tried = [...SYSTEM_PATHS];
  for (const p of SYSTEM_PATHS) if (existsSync(p)) return { path: p, tried };
  const { chromium } = await import('playwright-core');
  let own: string | undefined;
  try {
    own = chromium.executablePath();
  } catch {
    own = undefined;
  }
  if (own) {
    tried.push(own);
    if (existsSync(own)) return { path: own, tried };
  }
  return { tried };
}

/** The browser could not be started: what was tried, what went wrong, and the fix, in one line. */
export class BrowserUnavailable extends Error {
  override name = 'BrowserUnavailable';
}

/**
 * Launches Chromium once, to learn at once whether the browser path can work at all: a missing
 * or broken browser is then one clear message, never a time-out per page.
 */
export async function launchChromium(timeoutMs = 20_000): Promise<{ browser: Browser; path: string }> {
  const where = await locateChromium();
  if (!where.path) throw new BrowserUnavailable(notFound(where));
  const { chromium } = await import('playwright-core');
  try {
    const browser = await chromium.launch({ executablePath: where.path, headless: true, args: [...CHROMIUM_ARGS], timeout: timeoutMs });
    return { browser, path: where.path };
  } catch (e) {
    throw new BrowserUnavailable(couldNotStart(where.path, e));
  }
}

/** Why there is no browser to launch, with the fix. */
export function notFound(where: ChromiumLocation): string {
  if (where.problem) return `Chromium is not available: ${where.problem}; ${CHROMIUM_FIX}`;
  return `Chromium is not installed (looked for ${where.tried.join(', ')}); ${CHROMIUM_FIX}`;
}

/** Why the browser at `path` did not start, with the fix. */
export function couldNotStart(path: string, e: unknown): string {
  return `Chromium at ${path} could not start (${launchFailure(e instanceof Error ? e.message : String(e))}); ${CHROMIUM_FIX}`;
}

/** The telling part of Playwright's launch error: the browser's own complaint and how it ended. */
function launchFailure(message: string): string {
  // eslint-disable-next-line no-control-regex
  const plain = message.replace(/\x1b\[[0-9;]*m/g, '');
  const said = /\[err\] (.+)/.exec(plain)?.[1]?.trim();
  const exit = /process did exit: exitCode=(\d+)/.exec(plain)?.[1];
  const parts = [said, exit !== undefined ? `it exited with code ${exit}` : undefined].filter(Boolean);
  if (parts.length) return parts.join('; ').slice(0, 300);
  return (plain.split('\n').find((l) => l.trim()) ?? plain).replace(/^browserType\.launch: /, '').slice(0, 300);
}

/** Starts and stops Chromium once: undefined when it works, else why not (BrowserUnavailable's message). */
export async function probeChromium(timeoutMs?: number): Promise<{ path?: string; version?: string; problem?: string }> {
  try {
    const { browser, path } = await launchChromium(timeoutMs);
    const version = browser.version();
    await browser.close();
    return { path, version };
  } catch (e) {
    return { problem: e instanceof BrowserUnavailable ? e.message : `Chromium could not start: ${(e as Error).message}` };
  }
}
