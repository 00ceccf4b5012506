import type { OperatorEvent } from '../detect/events.js';
import type { Catalogue } from '../store/catalogue.js';
import type { OperatorStore } from '../store/operator-store.js';

/**
 * Writes an operator event and where its problem now stands in one transaction, with the alerts
 * the outbox queues for it: a problem is never marked reported without its event, nor reported
 * twice after a crash in between.
 */
export function reportOperator(catalogue: Catalogue, store: OperatorStore, key: string, e: OperatorEvent, runId: number | null): void {
  catalogue.transaction(() => {
    const id = catalogue.insertEvent({ runId, kind: e.kind, ...(e.site ? { siteId: e.site } : {}), ...(e.url ? { url: e.url } : {}), at: e.at, body: e });
    if (e.state === 'raised') store.raise({ problem: e.problem, key, subject: e.subject, site_id: e.site ?? null, since: e.since, raised_at: e.at, summary: e.summary }, id);
    else store.clear(e.problem, key);
  });
}
