import { parentPort, workerData } from 'node:worker_threads';
import type { Catalogue } from '../store/catalogue.js';
import { errorToWire, siteFromWire, type FromWorker, type ToWorker, type WorkerStart } from './watch-messages.js';
import { Watcher } from './watcher.js';

/** How often a worker tells the main thread where its sites stand (watch.json is rewritten every 10 s). */
const STATE_MS = 2000;

/**
 * Inside a watcher's worker thread: a Watcher over this worker's share of the sites, with its own
 * host gate, cron jobs and catalogue connections. Alerts are queued here, in their events'
 * transactions (`arm`, the command's wiring); everything else goes to the main thread, which
 * keeps the writer lock, delivers, checks the machine, prints and writes watch.json.
 */
export function serveWatcher(arm: (target: { catalogue: Catalogue }, start: WorkerStart) => void): void {
  const port = parentPort;
  if (!port) throw new Error('serveWatcher runs in a worker thread of `xjwatch watch`');
  const start = workerData as WorkerStart;
  const post = (m: FromWorker) => port.postMessage(m);
  const sites = start.sites.map(siteFromWire);
  const byId = new Map(sites.map((s) => [s.id, s]));
  const watcher = new Watcher({
    dataDir: start.dataDir,
    sites,
    terms: start.terms,
    settings: start.settings,
    userAgent: start.userAgent,
    confirmAfter: start.confirmAfter,
    machine: false,
    emit: (event) => post({ type: 'event', event }),
    log: (line) => post({ type: 'log', line }),
    arm: (target) => arm(target, start),
    deliver: async () => post({ type: 'deliver' }),
    onBrowserUnavailable: (problem) => post({ type: 'browser', problem }),
    onRun: (id, outcome, status) => post({ type: 'run', site: watcher.siteState(byId.get(id)!), outcome, status }),
    onWriteFailure: (failure) => post({ type: 'write-failure', failure: errorToWire(failure) }),
  });
  const beat = setInterval(() => post({ type: 'state', sites: watcher.state().sites }), STATE_MS);
  port.on('message', (m: ToWorker) => {
    if (m.type !== 'stop') return;
    clearInterval(beat);
    void watcher.stop(m.graceMs).then((clean) => {
      post({ type: 'stopped', clean, sites: watcher.state().sites });
      // nothing more to hear: the thread ends by itself once its last handles close (see WatcherPool.stop)
      port.unref();
    });
  });
  watcher.start(start.now);
  post({ type: 'state', sites: watcher.state().sites });
}
