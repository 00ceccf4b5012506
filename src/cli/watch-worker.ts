// A worker thread of `xjwatch watch` (watch.workers > 1): schedule/watch-worker.ts runs the sites;
// this only wires the alerts, queued in their events' transactions as in a one-thread watcher.
import { serveWatcher } from '../schedule/watch-worker.js';
import { armAlerts, type Alerting } from './alerting.js';

serveWatcher((target, start) => armAlerts(target, start.wiring as Alerting, start.terms));
