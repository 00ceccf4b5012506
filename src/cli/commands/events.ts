import { InputError } from '../../config/errors.js';
import type { XjEvent } from '../../detect/events.js';
import { openDb } from '../../store/db.js';
import { listEvents } from '../../store/queries.js';
import { existingDataDir, printJson, type CommonOptions } from '../common.js';
import { printEventHuman } from '../format.js';

export interface EventsOptions extends CommonOptions {
  since?: string;
  kind?: string;
  site?: string;
}

const KINDS = ['new_posting', 'changed', 'delisted', 'suspected_deletion', 'deleted', 'restored', 'unreachable', 'challenge_failed', 'site_broken', 'operator'];

export function eventsCommand(opts: EventsOptions): number {
  if (opts.kind && !KINDS.includes(opts.kind)) throw new InputError(`unknown event kind "${opts.kind}" (one of ${KINDS.join(', ')})`, undefined, undefined, '--kind');
  let since: string | undefined;
  if (opts.since) {
    const d = new Date(opts.since);
    if (Number.isNaN(d.getTime())) throw new InputError(`"${opts.since}" is not an ISO date or time`, undefined, undefined, '--since');
    since = d.toISOString();
  }
  const db = openDb(existingDataDir(opts));
  try {
    for (const row of listEvents(db, { since, kind: opts.kind, site: opts.site })) {
      const e = JSON.parse(row.body) as XjEvent;
      if (opts.json) printJson(e);
      else printEventHuman(e);
    }
  } finally {
    db.close();
  }
  return 0;
}
