import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateCronExpression } from 'cron';
import { InputError } from './errors.js';
import { chooseProxy, isProxyChoiceProblem, type SiteProxy } from './proxy-setting.js';
import { siteCodeProblem } from './site-code.js';
import { siteSchema, type SiteFile } from './site-schema.js';
import { YamlSource } from './yaml-source.js';

/** A site ready to crawl: the validated file with every default resolved. */
export interface Site extends Omit<SiteFile, 'rate' | 'proxy'> {
  rate: { perHost: number; delayMs: number };
  /** the proxy its fetches go through (its file's `proxy:`, else XJWATCH_PROXY); undefined: direct */
  proxy: SiteProxy | undefined;
  /** the file it came from, or "adhoc" */
  source: string;
}

const DEFAULT_DELAY_MS = 1000;

/** Politeness protects other people's servers; a loopback host is this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * A validated site file with its defaults and its proxy resolved in `env`. `where`: the file and
 * the line of its `proxy:`, for the message when the variable it names is not set.
 */
export function resolveSite(file: SiteFile, source: string, env: NodeJS.ProcessEnv = process.env, where?: { file: string; proxyLine: number }): Site {
  const delayMs = file.rate.delayMs ?? (isLoopbackHost(new URL(file.home).hostname) ? 0 : DEFAULT_DELAY_MS);
  let proxy: SiteProxy | undefined;
  try {
    proxy = chooseProxy(file.proxy, env);
  } catch (e) {
    if (!isProxyChoiceProblem(e)) throw e;
    if (e.inSiteFile) throw new InputError(e.message, where?.file ?? source, where?.proxyLine, 'proxy');
    throw new InputError(e.message); // it names XJWATCH_PROXY itself
  }
  const { proxy: _written, ...rest } = file;
  return { ...rest, rate: { perHost: file.rate.perHost, delayMs }, proxy, source };
}

/** `env: false`: the file checked, its proxy not looked up (which site file covers a host, before using it). */
export function loadSiteFile(file: string, env: NodeJS.ProcessEnv | false = process.env): Site {
  const src = YamlSource.read(file);
  const site = src.validate(siteSchema, src.value);
  const cron = validateCronExpression(site.schedule);
  if (!cron.valid) {
    throw new InputError(`is not a valid cron expression (${cron.error?.message ?? 'invalid'})`, file, src.lineOf(['schedule']), 'schedule');
  }
  const codeProblem = site.code ? siteCodeProblem(site.code) : undefined;
  if (codeProblem) throw new InputError(codeProblem, file, src.lineOf(['code']), 'code');
  if (env === false) return resolveSite({ ...site, proxy: 'none' }, resolve(file));
  return resolveSite(site, resolve(file), env, { file, proxyLine: src.lineOf(['proxy']) });
}

/** Folders searched for <id>.yaml, first match wins: the user's own, then the bundled ones. */
export function siteDirs(dataDir: string, packageRoot: string): string[] {
  return [join(dataDir, 'sites'), join(packageRoot, 'crawlers')];
}

export function findSiteFile(id: string, dirs: string[]): string | undefined {
  for (const dir of dirs) {
    for (const ext of ['.yaml', '.yml']) {
      const f = join(dir, id + ext);
      if (existsSync(f)) return f;
    }
  }
  return undefined;
}

/** Every site file in the folders, by id (earlier folders win). */
export function listSiteFiles(dirs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const m = /^(.+)\.ya?ml$/.exec(name);
      if (!m || m[1] === 'terms' || m[1]!.startsWith('watch')) continue;
      if (!out.has(m[1]!)) out.set(m[1]!, join(dir, name));
    }
  }
  return out;
}
