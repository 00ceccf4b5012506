import { adhocRecipient, loadSettings, type Recipient, type Settings } from '../config/settings.js';
import { Outbox } from '../alerts/outbox.js';
import { openDb } from '../store/db.js';
import type { Catalogue } from '../store/catalogue.js';
import type { Term } from '../terms/types.js';
import { err } from './common.js';

export interface MailOptions {
  config?: string;
  mailTo?: string;
  mailDir?: string;
}

export interface Alerting {
  settings: Settings;
  extra: Recipient[];
  recipients: Recipient[];
}

/** The recipients of a run: the settings file's, and `--mail-to` ones (comma-separated) for this run only. */
export function alertingFor(dataDir: string, opts: MailOptions): Alerting {
  const settings = loadSettings(dataDir, opts.config);
  const extra = (opts.mailTo ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(adhocRecipient);
  return { settings, extra, recipients: [...extra, ...settings.mail.recipients] };
}

/** Alerts are queued in the same transaction as their events (a run's, or the watcher's own checks'). */
export function armAlerts(target: { catalogue: Catalogue }, a: Alerting, terms: Term[]): void {
  if (a.recipients.length) target.catalogue.afterEvent = new Outbox(target.catalogue.db).enqueuer(a.recipients, terms);
}

/** After a run: send what is due; say what went and what waits (and why), on stderr. */
export async function sendAlerts(dataDir: string, a: Alerting, terms: Term[], opts: MailOptions): Promise<void> {
  // loaded here: most runs have nothing to send, and the mail chain (nodemailer, evidence) is not small
  const { deliver } = await import('../alerts/deliver.js');
  const db = openDb(dataDir);
  try {
    const r = await deliver({ dataDir, db, settings: a.settings, terms, extraRecipients: a.extra, ...(opts.mailDir ? { mailDir: opts.mailDir } : {}), log: (l) => err(`xjwatch: ${l}`) });
    if (r.sent) err(`xjwatch: mail: ${opts.mailDir ? `${r.sent} written as .eml files in ${opts.mailDir}` : `${r.sent} sent`}`);
    if (r.waiting) err(`xjwatch: mail: ${r.waiting} waiting in the outbox (\`xjwatch outbox --send\` retries): ${r.errors.join('; ')}`);
  } finally {
    db.close();
  }
}
