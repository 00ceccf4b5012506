import { deliver } from '../../alerts/deliver.js';
import { Outbox } from '../../alerts/outbox.js';
import { loadSettings } from '../../config/settings.js';
import { openDb } from '../../store/db.js';
import { err, existingDataDir, out, printJson, safe, type CommonOptions } from '../common.js';
import { loadTerms } from '../term-option.js';
import { dim, green, yellow } from '../format.js';

export interface OutboxOptions extends CommonOptions {
  send?: boolean;
  flush?: boolean;
  mailDir?: string;
  config?: string;
  terms?: string;
}

/** `xjwatch outbox [--send]`: what mail is queued, waiting for a digest or sent; and a retry. */
export async function outboxCommand(opts: OutboxOptions): Promise<number> {
  const dataDir = existingDataDir(opts);
  const settings = loadSettings(dataDir, opts.config);
  const { terms } = loadTerms(opts.terms);
  const db = openDb(dataDir);
  try {
    let code = 0;
    if (opts.send) {
      const r = await deliver({ dataDir, db, settings, terms, all: true, flush: Boolean(opts.flush), ...(opts.mailDir ? { mailDir: opts.mailDir } : {}), log: (l) => err(`xjwatch: ${l}`) });
      err(`xjwatch: mail: ${r.sent} sent, ${r.waiting} still waiting${r.errors.length ? `: ${r.errors.join('; ')}` : ''}`);
      if (r.waiting) code = 1;
    }
    const box = new Outbox(db);
    const mails = box.list();
    const digests = box.waitingDigests();
    if (opts.json) {
      for (const m of mails) printJson({ type: 'mail', id: m.id, state: m.state, to: m.recipient, subject: m.subject, message_id: m.message_id, events: m.events, attempts: m.attempts, last_error: m.last_error, next_try_at: m.state === 'queued' ? m.next_try_at : null, sent_at: m.sent_at, via: m.sent_via });
      for (const d of digests) printJson({ type: 'digest', to: d.recipient, send: d.send, events: d.n, due_at: d.due_at });
      return code;
    }
    if (!mails.length && !digests.length) out(dim('the outbox is empty'));
    for (const m of mails) {
      const state = m.state === 'sent' ? green('sent  ') : yellow('queued');
      out(`${state} #${m.id}  ${safe(m.recipient)}  ${safe(m.subject || '(not rendered yet)')}`);
      if (m.state === 'sent') out(dim(`        ${m.sent_at} via ${m.sent_via}  ${m.message_id}`));
      else out(dim(`        ${m.attempts} tr${m.attempts === 1 ? 'y' : 'ies'}; next ${m.next_try_at}${m.last_error ? `; last error: ${safe(m.last_error)}` : ''}`));
    }
    for (const d of digests) out(`${yellow('digest')}  ${safe(d.recipient)}  ${d.n} event(s) for the ${d.send} digest due ${d.due_at}`);
    return code;
  } finally {
    db.close();
  }
}
