import type { Settings } from '../config/settings.js';
import type { Site } from '../config/site-file.js';
import type { XjEvent } from '../detect/events.js';
import { CatalogueGone } from '../store/db.js';
import { WriteFailure } from '../store/write-failure.js';
import type { Term } from '../terms/types.js';
import type { SiteOutcome } from './site-outcome.js';
import type { RunStatus, SiteState } from './watcher.js';

/** What a watcher's worker thread is started with (its workerData). */
export interface WorkerStart {
  index: number;
  dataDir: string;
  sites: WireSite[];
  terms: Term[];
  /** with this worker's share of `watch.concurrency` */
  settings: Settings;
  userAgent: string;
  confirmAfter: number;
  now: boolean;
  /** the command's own data for its wiring of the worker (the alerts' recipients): not schedule/'s to read */
  wiring: unknown;
}

export type ToWorker = { type: 'stop'; graceMs: number };

export type FromWorker =
  | { type: 'event'; event: XjEvent }
  | { type: 'log'; line: string }
  | { type: 'deliver' }
  | { type: 'browser'; problem: string }
  | { type: 'run'; site: SiteState; outcome: SiteOutcome | undefined; status: RunStatus }
  | { type: 'state'; sites: SiteState[] }
  | { type: 'write-failure'; failure: WireError }
  | { type: 'stopped'; clean: boolean; sites: SiteState[] };

/**
 * A site as it crosses to a worker: structured clone refuses functions, and a proxy's
 * credentials live behind one (`auth()`, kept out of logs); they travel as data inside the
 * process and are closed over again on the other side.
 */
export type WireSite = Omit<Site, 'proxy'> & { proxy: (Omit<NonNullable<Site['proxy']>, 'auth'> & { login?: { username: string; password: string } }) | undefined };

export function siteToWire(site: Site): WireSite {
  if (!site.proxy) return { ...site, proxy: undefined };
  const { auth, ...proxy } = site.proxy;
  return { ...site, proxy: { ...proxy, ...(auth ? { login: auth() } : {}) } };
}

export function siteFromWire(wire: WireSite): Site {
  if (!wire.proxy) return { ...wire, proxy: undefined };
  const { login, ...proxy } = wire.proxy;
  return { ...wire, proxy: { ...proxy, ...(login ? { auth: () => login } : {}) } };
}

/** A write failure as it crosses back: what the main thread's message and exit need of it. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  target?: string;
}

export function errorToWire(e: unknown): WireError {
  if (e instanceof WriteFailure) return { name: e.name, message: e.message, code: e.code, target: e.target };
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

export function errorFromWire(w: WireError): Error {
  if (w.name === 'WriteFailure' && w.code && w.target) return new WriteFailure(w.code, w.target, undefined);
  if (w.name === 'CatalogueGone') return new CatalogueGone(w.message);
  return Object.assign(new Error(w.message), { name: w.name });
}
