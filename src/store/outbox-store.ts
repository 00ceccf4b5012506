import { PreparedStatements, type Db, type Statement } from './db.js';
import { sqlFor } from './dialect.js';
import type { AlertRecord, EventRecord, MailRecord } from './rows.js';

export type PendingAlert = Pick<AlertRecord, 'id' | 'event_id' | 'recipient' | 'send' | 'due_at'>;
export type MailLease = Pick<MailRecord, 'state' | 'lease_pid' | 'lease_host' | 'lease_until'>;

/** The outbox's tables (alerts, mails): what alerts/outbox.ts decides, written and read here. */
export class OutboxStore {
  private readonly prepared: PreparedStatements;

  constructor(private readonly db: Db) {
    this.prepared = PreparedStatements.of(db);
  }

  private stmt(sql: string): Statement {
    return this.prepared.get(sql);
  }

  /** Under the write lock from the first read: another run doing the same waits, not fails. */
  immediate<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Once per event and recipient; a second queueing of the same is ignored. */
  queueAlert(eventId: number, recipient: string, send: string, dueAt: string): void {
    this.stmt(`INSERT OR IGNORE INTO alerts (event_id, recipient, send, due_at) VALUES (?, ?, ?, ?)`).run(eventId, recipient, send, dueAt);
  }

  /** The terms found in a page's newest capture. */
  lastTerms(pageId: number): string[] {
    return (this.stmt(`SELECT h.term FROM term_hits h JOIN pages p ON p.last_capture_id = h.capture_id WHERE p.id = ?`).all(pageId) as { term: string }[]).map((r) => r.term);
  }

  /** Alerts not in a mail yet, oldest first. */
  pendingAlerts(): PendingAlert[] {
    return this.stmt(`SELECT id, event_id, recipient, send, due_at FROM alerts WHERE mail_id IS NULL ORDER BY id`).all() as PendingAlert[];
  }

  /** A new queued mail, due at once; its subject is set when it is rendered. */
  newMail(messageId: string, recipient: string, at: string): number {
    return Number(this.stmt(`INSERT INTO mails (message_id, recipient, subject, created_at, next_try_at) VALUES (?, ?, '', ?, ?)`).run(messageId, recipient, at, at).lastInsertRowid);
  }

  putInMail(mailId: number, alertIds: number[]): void {
    const set = this.stmt(`UPDATE alerts SET mail_id = ? WHERE id = ?`);
    for (const id of alertIds) set.run(mailId, id);
  }

  /** The alerts a mail carries, in the order they were queued. */
  alertsOf(mailId: number): Pick<AlertRecord, 'event_id' | 'send'>[] {
    return this.stmt(`SELECT event_id, send FROM alerts WHERE mail_id = ? ORDER BY id`).all(mailId) as Pick<AlertRecord, 'event_id' | 'send'>[];
  }

  event(id: number): EventRecord | undefined {
    return this.stmt(`SELECT * FROM events WHERE id = ?`).get(id) as EventRecord | undefined;
  }

  setRendered(mailId: number, subject: string, rawSha: string): void {
    this.stmt(`UPDATE mails SET subject = ?, raw_sha256 = ? WHERE id = ?`).run(subject, rawSha, mailId);
  }

  /** Queued mails, oldest first: all of them, or those due by `dueBy`. */
  queued(dueBy?: string): MailRecord[] {
    return dueBy === undefined
      ? (this.stmt(`SELECT * FROM mails WHERE state = 'queued' ORDER BY id`).all() as MailRecord[])
      : (this.stmt(`SELECT * FROM mails WHERE state = 'queued' AND next_try_at <= ? ORDER BY id`).all(dueBy) as MailRecord[]);
  }

  /** The mail's lease, locked until the transaction ends (PostgreSQL's BEGIN alone locks nothing). */
  lease(mailId: number): MailLease {
    return this.stmt(sqlFor(this.db, { sqlite: `SELECT state, lease_pid, lease_host, lease_until FROM mails WHERE id = ?`, pg: `SELECT state, lease_pid, lease_host, lease_until FROM mails WHERE id = ? FOR UPDATE` })).get(mailId) as MailLease;
  }



  setLease(mailId: number, pid: number, host: string, until: string): void {
    this.stmt(`UPDATE mails SET lease_pid = ?, lease_host = ?, lease_until = ? WHERE id = ?`).run(pid, host, until, mailId);
  }

  /** Sent: counted as a try, its error and lease cleared. */
  markSent(mailId: number, at: string, via: string): void {
    this.stmt(`UPDATE mails SET state = 'sent', sent_at = ?, sent_via = ?, attempts = attempts + 1, last_error = NULL, lease_pid = NULL, lease_host = NULL, lease_until = NULL WHERE id = ?`).run(at, via, mailId);
  }

  attempts(mailId: number): number {
    return (this.stmt(`SELECT attempts FROM mails WHERE id = ?`).get(mailId) as Pick<MailRecord, 'attempts'>).attempts;
  }

  /** A failed try: when to try again, and the lease given up. */
  markFailed(mailId: number, attempts: number, error: string, nextTryAt: string): void {
    this.stmt(`UPDATE mails SET attempts = ?, last_error = ?, next_try_at = ?, lease_pid = NULL, lease_host = NULL, lease_until = NULL WHERE id = ?`).run(attempts, error, nextTryAt, mailId);
  }

  /** Every mail with the number of events it carries. */
  mails(): (MailRecord & { events: number })[] {
    return this.stmt(`SELECT m.*, (SELECT count(*) FROM alerts a WHERE a.mail_id = m.id) AS events FROM mails m ORDER BY m.id`).all() as (MailRecord & { events: number })[];
  }

  /** Digest alerts not in a mail yet, by recipient and schedule. */
  waitingDigests(): { recipient: string; send: string; due_at: string; n: number }[] {
    return this.stmt(`SELECT recipient, send, min(due_at) AS due_at, count(*) AS n FROM alerts WHERE mail_id IS NULL GROUP BY recipient, send ORDER BY recipient`).all() as { recipient: string; send: string; due_at: string; n: number }[];
  }
}
