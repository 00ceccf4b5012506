import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { BrowserUnavailable, CHROMIUM_FIX, launchChromium } from '../fetch/chromium.js';
import { connectToProxy } from '../fetch/proxy/handshake.js';
import { chooseProxy, type SiteProxy } from '../config/proxy-setting.js';
import type { Settings } from '../config/settings.js';
import { listSiteFiles, loadSiteFile } from '../config/site-file.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One line of `xjwatch doctor`: what was checked, what was found, and what to do about it. */
export interface Check {
  check: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

const run = promisify(execFile);
const SETUP = 'run `npm run setup` in the xjwatch folder';
const GiB = 1024 ** 3;

export function nodeCheck(): Check {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  const ok = major > 20 || (major === 20 && minor >= 19);
  return ok ? { check: 'node', status: 'ok', detail: `Node.js ${process.version}` } : { check: 'node', status: 'fail', detail: `Node.js ${process.version} is older than 20.19`, fix: 'install Node.js 20.19 or newer' };
}

/**
 * Chromium is launched once; while it is up, the CJK font check renders two different Chinese
 * words and a row of private-use characters (drawn as empty boxes by every font): without a CJK
 * font all three come out as the same boxes ("tofu"), and a screenshot shows no evidence.
 */
export async function browserChecks(): Promise<Check[]> {
  const started = Date.now();
  let launched: { browser: Browser; path: string };
  try {
    launched = await launchChromium();
  } catch (e) {
    const problem = e instanceof BrowserUnavailable ? e.message.replace(`; ${CHROMIUM_FIX}`, '') : (e as Error).message;
    return [{ check: 'chromium', status: 'fail', detail: `${problem} — needed for sites behind JavaScript challenges, script-built lists, screenshots and PDF prints`, fix: CHROMIUM_FIX }, await fontListCheck()];
  }
  const { browser, path } = launched;
  try {
    const chromium: Check = { check: 'chromium', status: 'ok', detail: `Chromium ${browser.version()} at ${path} (started in ${((Date.now() - started) / 1000).toFixed(1)} s)` };
    return [chromium, await renderedFontCheck(browser)];
  } finally {
    await browser.close();
  }
}

async function renderedFontCheck(browser: Browser): Promise<Check> {
  const page = await browser.newPage();
  try {
    await page.setContent(`<html><head><meta charset="utf-8"></head><body style="font-size:40px"><span id="a">卫星工厂</span><br><span id="b">厂工星卫</span><br><span id="t">\uE000\uE001\uE002\uE003</span></body></html>`);
    const [a, b, tofu] = await Promise.all(['#a', '#b', '#t'].map((s) => page.locator(s).screenshot()));
    if (a!.equals(b!) || a!.equals(tofu!)) return { check: 'cjk-font', status: 'fail', detail: 'Chinese renders as empty boxes (tofu): screenshots and PDF prints would not show the text', fix: `${SETUP} (installs fonts-noto-cjk)` };
    return { check: 'cjk-font', status: 'ok', detail: '中文 renders with real glyphs in Chromium' };
  } finally {
    await page.close();
  }
}

/** Without a browser the fonts can only be looked up, not seen. */
async function fontListCheck(): Promise<Check> {
  try {
    const { stdout } = await run('fc-list', [':lang=zh', 'family']);
    const families = [...new Set(stdout.split('\n').map((l) => l.split(',')[0]!.trim()).filter(Boolean))];
    if (families.length) return { check: 'cjk-font', status: 'ok', detail: `installed (${families.slice(0, 2).join(', ')}), not seen rendered: no browser` };
  } catch {
    // no fontconfig: nothing to list
  }
  return { check: 'cjk-font', status: 'fail', detail: 'no font for Chinese is installed: screenshots and PDF prints would show empty boxes', fix: `${SETUP} (installs fonts-noto-cjk)` };
}

export async function opensslCheck(): Promise<Check> {
  try {
    const { stdout } = await run('openssl', ['version']);
    return { check: 'openssl', status: 'ok', detail: stdout.trim() };
  } catch {
    return { check: 'openssl', status: 'fail', detail: 'not found — the demo\'s time-stamp authority and the `openssl ts -verify` of every bundle\'s VERIFY.md need it', fix: `${SETUP} (installs openssl)` };
  }
}

/** tesseract with Simplified Chinese, and poppler's pdftoppm: scanned PDF attachments read by OCR. */
export async function ocrCheck(): Promise<Check> {
  try {
    const { stdout } = await run('tesseract', ['--list-langs']);
    await run('pdftoppm', ['-v']);
    if (!/^chi_sim$/m.test(stdout)) return { check: 'ocr', status: 'fail', detail: 'tesseract has no Simplified Chinese (chi_sim): scanned PDF pages are flagged but not read', fix: `${SETUP} (installs tesseract-ocr-chi-sim)` };
    return { check: 'ocr', status: 'ok', detail: 'tesseract with chi_sim and pdftoppm: scanned PDF pages are read by OCR' };
  } catch {
    return { check: 'ocr', status: 'fail', detail: 'tesseract or pdftoppm not found: scanned PDF pages are flagged but not read', fix: `${SETUP} (installs tesseract-ocr, tesseract-ocr-chi-sim, poppler-utils)` };
  }
}

export async function sqliteCheck(): Promise<Check> {
  try {
    const { sqliteBuild } = await import('../store/sqlite-build.js');
    const b = sqliteBuild();
    if (b.trigram) return { check: 'sqlite', status: 'ok', detail: `SQLite ${b.version} with FTS5 trigram search` };
    return { check: 'sqlite', status: 'fail', detail: `SQLite ${b.version} cannot index Chinese text (FTS5 trigram: ${b.problem})`, fix: 'reinstall the npm packages (`rm -rf node_modules && npm run setup`): better-sqlite3 12 bundles a SQLite with it' };
  } catch (e) {
    return { check: 'sqlite', status: 'fail', detail: `better-sqlite3 does not load: ${(e as Error).message.split('\n')[0]}`, fix: `rm -rf node_modules, then ${SETUP} (better-sqlite3 is built for this Node.js)` };
  }
}

/** The team catalogue, when XJWATCH_DATABASE_URL names one: reachable, UTF-8, pg_trgm, its schema. */
export async function teamCatalogueCheck(): Promise<Check[]> {
  const { catalogueUrl } = await import('../store/storage-setting.js');
  let url: string | undefined;
  try {
    url = catalogueUrl();
  } catch (e) {
    return [{ check: 'postgres', status: 'fail', detail: (e as Error).message, fix: 'set XJWATCH_DATABASE_URL to postgres://user@host:port/database, or unset it for the local catalogue' }];
  }
  if (!url) return [];
  return [await postgresCheck(url), ...(await objectStoreCheck())];
}

async function postgresCheck(url: string): Promise<Check> {
  const { redact } = await import('../store/pg/connection.js');
  try {
    const { teamCatalogueReport } = await import('../store/pg/database.js');
    const r = teamCatalogueReport(url);
    if (!r.trigram) return { check: 'postgres', status: 'fail', detail: `PostgreSQL ${r.server} at ${redact(url)} has no pg_trgm (search over Chinese text needs it)`, fix: 'install postgresql-contrib on the database server' };
    const schema = r.schema === r.of ? `schema ${r.schema}, up to date` : r.schema === 0 ? 'empty: the first run makes the schema' : `schema ${r.schema} of ${r.of}: the next run brings it up to date`;
    return { check: 'postgres', status: 'ok', detail: `PostgreSQL ${r.server} at ${redact(url)}, UTF-8 with pg_trgm, ${schema}` };
  } catch (e) {
    return { check: 'postgres', status: 'fail', detail: (e as Error).message, fix: 'check XJWATCH_DATABASE_URL, that the server runs and lets this machine in' };
  }
}

/** The team object store, when XJWATCH_BLOBS names one: the bucket answers a read with these keys. */
async function objectStoreCheck(): Promise<Check[]> {
  const { objectStore } = await import('../store/objects/object-store.js');
  const fix = 'check XJWATCH_BLOBS (s3://bucket/prefix), AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  try {
    const store = objectStore();
    if (!store) return [{ check: 'objects', status: 'warn', detail: "XJWATCH_BLOBS is not set: blobs, WARC files and pictures stay in this machine's data directory, so other machines see the catalogue but not the captures", fix: 'set XJWATCH_BLOBS=s3://bucket/prefix for the team object store' }];
    store.checkSync();
    return [{ check: 'objects', status: 'ok', detail: `${store.name}: the bucket answers with these keys (writes are first tried by a run)` }];
  } catch (e) {
    return [{ check: 'objects', status: 'fail', detail: (e as Error).message, fix }];
  }
}

/** Writable (a file is written and removed), and how much room is left. */
export function dataDirCheck(dir: string): Check {
  let probe = dir;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  const where = probe === dir ? dir : `${dir} (not made yet; ${probe} is where it would be made)`;
  try {
    accessSync(probe, constants.W_OK);
    const tmp = mkdtempSync(join(probe, '.xjwatch-doctor-'));
    writeFileSync(join(tmp, 'probe'), randomBytes(16));
    rmSync(tmp, { recursive: true });
  } catch (e) {
    return { check: 'data-dir', status: 'fail', detail: `${where} is not writable: ${(e as Error).message}`, fix: 'pass --data-dir DIR (or set XJWATCH_DATA_DIR) to a folder you can write' };
  }
  const fs = statfsSync(probe);
  const free = fs.bavail * fs.bsize;
  const room = `${(free / GiB).toFixed(1)} GiB free`;
  if (free < 0.2 * GiB) return { check: 'data-dir', status: 'fail', detail: `${where}: only ${room}; captures, WARC files and pictures need room`, fix: 'free some space, or use --data-dir on a larger disk' };
  if (free < 2 * GiB) return { check: 'data-dir', status: 'warn', detail: `${where}: writable, ${room} (a site's captures and pictures can take gigabytes over months)`, fix: 'free some space, or use --data-dir on a larger disk' };
  return { check: 'data-dir', status: 'ok', detail: `${where}: writable, ${room}` };
}

/** The mail server named in XJWATCH_SMTP_URL, logged into; its password never printed. */
export async function smtpCheck(settings: Settings | undefined, env: NodeJS.ProcessEnv = process.env): Promise<Check> {
  const recipients = settings?.mail.recipients.length ?? 0;
  if (!env.XJWATCH_SMTP_URL) {
    if (recipients) return { check: 'smtp', status: 'fail', detail: `${settings!.file} names ${recipients} recipient(s), but XJWATCH_SMTP_URL is not set: their alerts wait in the outbox`, fix: 'set XJWATCH_SMTP_URL=smtp://user:password@host:587 (or write .eml files with --mail-dir)' };
    return { check: 'smtp', status: 'skip', detail: 'not configured (XJWATCH_SMTP_URL unset): alerts go only where --mail-dir writes them' };
  }
  const { checkSmtp, MailConfigError } = await import('../alerts/transport.js');
  try {
    const r = await checkSmtp(env);
    const from = env.XJWATCH_MAIL_FROM ? `, from ${env.XJWATCH_MAIL_FROM}` : '';
    if (r.problem) return { check: 'smtp', status: 'fail', detail: `${r.via}: ${r.problem}`, fix: 'check the host, port, user and password in XJWATCH_SMTP_URL' };
    return { check: 'smtp', status: 'ok', detail: `${r.via}: connected and accepted the login${from}${recipients ? `; ${recipients} recipient(s) in settings` : ''}` };
  } catch (e) {
    if (e instanceof MailConfigError) return { check: 'smtp', status: 'fail', detail: e.message, fix: 'XJWATCH_SMTP_URL=smtp://user:password@host:587 or smtps://…:465' };
    throw e;
  }
}

/** Each configured time-stamp authority asked for a real token over random bytes. */
export async function tsaChecks(settings: Settings | undefined, settingsProblem?: string): Promise<Check[]> {
  if (settingsProblem) return [{ check: 'tsa', status: 'fail', detail: `the settings could not be read: ${settingsProblem}`, fix: 'correct the file named, or unset XJWATCH_TSA_URLS' }];
  const tsas = settings?.timestamps ?? [];
  if (!tsas.length) return [{ check: 'tsa', status: 'skip', detail: 'no time-stamp authority configured: bundles are made without time-stamps (`xjwatch stamp DIR` adds them later)' }];
  const { requestStamp } = await import('../evidence/timestamp.js');
  return Promise.all(
    tsas.map(async (t) => {
      const shown = withoutCredentials(t.url);
      const r = await requestStamp(t.url, randomBytes(32), 15_000);
      if (!r.ok) return { check: 'tsa', status: 'fail' as const, detail: `${shown}: ${withoutCredentials(r.problem ?? 'no token')}`, fix: 'check the URL in XJWATCH_TSA_URLS or settings.yaml `timestamps:`' };
      return { check: 'tsa', status: 'ok' as const, detail: `${shown}: issued a token (time ${r.genTime})` };
    }),
  );
}

const PROXY_FIX = 'set XJWATCH_PROXY (or the variable a site file names with proxy: env:…) to http://[user:password@]host:port or socks5://[user:password@]host:port of a machine or VPN exit in a network that reaches the sites';

/**
 * The proxies fetches would go through — XJWATCH_PROXY and every site file's `proxy:` — each
 * connected to over TCP and closed again: is it there? Nothing is sent through it (a doctor does
 * not fetch the sites), so a wrong login or a proxy that cannot reach China shows only in a crawl.
 */
export async function proxyChecks(siteDirs: string[], env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  const users = new Map<string, { proxy: SiteProxy; sites: string[] }>();
  const checks: Check[] = [];
  const use = (p: SiteProxy, who: string) => {
    const key = `${p.shown} ${p.from}`;
    const entry = users.get(key) ?? { proxy: p, sites: [] };
    entry.sites.push(who);
    users.set(key, entry);
  };
  let global: SiteProxy | undefined;
  try {
    global = chooseProxy(undefined, env);
    if (global) use(global, 'XJWATCH_PROXY');
  } catch (e) {
    checks.push({ check: 'proxy', status: 'fail', detail: `XJWATCH_PROXY: ${(e as Error).message}`, fix: PROXY_FIX });
  }
  let direct = 0;
  for (const [id, file] of listSiteFiles(siteDirs)) {
    try {
      const site = loadSiteFile(file, env);
      if (site.proxy && site.proxy.from !== 'XJWATCH_PROXY') use(site.proxy, `site ${id}`);
      if (!site.proxy && global) direct++;
    } catch (e) {
      // only the proxy's problems are this check's: `xjwatch sites` reports the rest
      if (/: proxy: /.test((e as Error).message)) checks.push({ check: 'proxy', status: 'fail', detail: (e as Error).message, fix: PROXY_FIX });
    }
  }
  if (!users.size && !checks.length) return [{ check: 'proxy', status: 'skip', detail: 'not configured (XJWATCH_PROXY unset, no site file names a proxy): every fetch goes direct from this machine' }];
  const reached = await Promise.all(
    [...users.values()].map(async ({ proxy, sites }): Promise<Check[]> => {
      const who = `${proxy.shown} (${proxy.from}${sites.some((s) => s !== 'XJWATCH_PROXY') ? `; ${sites.filter((s) => s !== 'XJWATCH_PROXY').join(', ')}` : ''})`;
      const started = Date.now();
      try {
        const socket = await connectToProxy(proxy, 5000);
        socket.destroy();
      } catch (e) {
        return [{ check: 'proxy', status: 'fail', detail: `${who}: ${withoutCredentials((e as Error).message).replace(/^proxy \S+ \([^)]*\) /, '')}`, fix: 'start the proxy (or the ssh -D / VPN tunnel it is), or correct its host and port' }];
      }
      const out: Check[] = [{ check: 'proxy', status: 'ok', detail: `${who}: accepts connections (TCP, ${Date.now() - started} ms; nothing was sent through it)${proxy.auth ? ', with a login' : ''}` }];
      if (proxy.protocol === 'socks5' && proxy.auth) {
        out.push({ check: 'proxy', status: 'warn', detail: `${who}: Chromium cannot log in to a SOCKS5 proxy: sites using it get no browser (no JavaScript challenge passed, no screenshots)`, fix: 'use an HTTP proxy with a login, or a SOCKS5 proxy without one (ssh -D on 127.0.0.1), for sites that need the browser' });
      }
      return out;
    }),
  );
  checks.push(...reached.flat());
  if (direct) checks.push({ check: 'proxy', status: 'ok', detail: `${direct} site file(s) say proxy: none and go direct` });
  return checks;
}

function withoutCredentials(text: string): string {
  return text.replace(/(\/\/)[^/@\s]+@/g, '$1***@');
}
