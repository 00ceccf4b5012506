import type { OperatorEvent } from './events.js';
import { clearedEvent, raisedEvent, span, type OpenProblem } from './operator-event.js';

export interface OutboxFacts {
  /** mails waiting to be sent */
  queued: number;
  /** when the oldest of them was formed */
  oldest: string | null;
  /** how many of them have failed at least once */
  failing: number;
  /** tries of the most tried one */
  attempts: number;
  last_error: string | null;
}

/**
 * Mail that does not go out: a mail still queued `outboxMinutes` after it was formed (the server
 * unreachable, the login refused, an address refused, a mail that cannot be rendered). Cleared
 * when nothing waits that long any more and nothing is failing.
 */
export function outboxStuck(o: OutboxFacts, open: OpenProblem | undefined, rule: { outboxMinutes: number }, now: Date): OperatorEvent | undefined {
  const at = now.toISOString();
  const age = o.oldest ? now.getTime() - new Date(o.oldest).getTime() : 0;
  const stuck = o.queued > 0 && age >= rule.outboxMinutes * 60_000;
  const measured = { queued: o.queued, oldest: o.oldest, failing: o.failing, attempts: o.attempts, last_error: o.last_error };
  if (open) {
    if (stuck || o.failing > 0) return undefined;
    const left = o.queued ? `; ${o.queued} mail(s) queued since, none failing` : '';
    return clearedEvent('outbox_stuck', open, { subject: 'outbox', summary: `outbox: mail goes out again${left}`, measured, at });
  }
  if (!stuck) return undefined;
  const tried = o.failing ? `${o.failing} failing, tried up to ${o.attempts} time(s)` : 'not tried yet';
  return raisedEvent('outbox_stuck', {
    subject: 'outbox',
    summary: `outbox: ${o.queued} mail(s) waiting, the oldest for ${span(age)} (formed ${o.oldest}); ${tried}${o.last_error ? `; last error: ${o.last_error}` : ''}`,
    since: o.oldest!,
    measured,
    at,
  });
}
