import { statfsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { OperatorSettings } from '../config/settings.js';
import { diskFilling } from '../detect/disk-filling.js';
import type { OperatorEvent } from '../detect/events.js';
import { outboxStuck } from '../detect/outbox-stuck.js';
import type { Catalogue } from '../store/catalogue.js';
import { OperatorStore } from '../store/operator-store.js';
import { outboxStatus } from '../store/status-reads.js';
import { reportOperator } from './operator-report.js';

/**
 * The operator's problems of the machine, checked by the watcher on its outbox timer: the data
 * directory's disk filling, the outbox stuck. `catalogue` is armed, so that the events' alerts are
 * queued with them. Returns the events to print.
 */
export function checkMachine(catalogue: Catalogue, dataDir: string, rule: OperatorSettings, now = new Date()): OperatorEvent[] {
  const store = new OperatorStore(catalogue.db);
  const out: OperatorEvent[] = [];
  const report = (key: string, e: OperatorEvent | undefined) => {
    if (!e) return;
    reportOperator(catalogue, store, key, e, null);
    out.push(e);
  };
  const fs = statfsSync(dataDir);
  // bavail: what an unprivileged writer (the watcher) can still use, not the root reserve
  const space = { freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize };
  report('data-dir', diskFilling(resolve(dataDir), space, store.open('disk_filling', 'data-dir'), rule, now));
  report('outbox', outboxStuck(outboxStatus(catalogue.db), store.open('outbox_stuck', 'outbox'), rule, now));
  return out;
}
