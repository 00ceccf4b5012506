import { hostname } from 'node:os';
import { createHash, randomBytes } from 'node:crypto';
import type { Recipient } from '../config/settings.js';
import type { Db } from '../store/db.js';
import type { EventInput } from '../store/catalogue.js';
import { OutboxStore } from '../store/outbox-store.js';
import type { EventRecord, MailRecord } from '../store/rows.js';
import type { Term } from '../terms/types.js';
import { processAlive } from '../store/writer-lock.js';
import { dueAt, wants } from './route.js';



/** Backoff between tries of one mail: 1, 2, 4 … minutes, at most 6 hours. */
export function backoffMs(attempts: number): number {
  return Math.min(6 * 3600_000, 60_000 * 2 ** Math.max(0, attempts - 1));
}

/**
 * The outbox in the catalogue. `enqueue` runs inside the event's transaction, so an event and
 * its alerts are written together or not at all.
 */
export class Outbox {
  private readonly store: OutboxStore;

  constructor(readonly db: Db) {
    this.store = new OutboxStore(db);
  }

  /** The hook for Catalogue.afterEvent: queue the event for every recipient who wants it. */
  enqueuer(recipients: Recipient[], terms: Term[]): (eventId: number, e: EventInput) => void {
    return (eventId, e) => {
      if (!recipients.length) return;
      const body = e.body as { terms?: { term: string }[]; scope?: string };
      const found = body.terms?.map((t) => t.term) ?? (e.pageId ? this.store.lastTerms(e.pageId) : []);
      const now = new Date();
      for (const r of recipients) {
        if (wants(r, { kind: e.kind, site: e.siteId, ...(body.scope ? { scope: body.scope } : {}), terms: found }, terms)) this.store.queueAlert(eventId, r.to, r.send, dueAt(r, now));
      }
    };
  }

  /**
   * Gathers due alerts into mails: one per immediate alert, one per recipient for digests (all
   * of their digest alerts, when the first is due or `flush`). Each mail's Message-ID is fixed
   * here, once, so a resend after a crash is recognisably the same mail.
   */
  formMails(flush: boolean): { mailId: number; recipient: string; eventIds: number[]; digest: boolean }[] {
    const now = new Date().toISOString();
    const formed: { mailId: number; recipient: string; eventIds: number[]; digest: boolean }[] = [];
    // read and write under one lock: another run forming mails waits, not fails
    this.store.immediate(() => {
      const pending = this.store.pendingAlerts();
      const newMail = (recipient: string, ids: number[], eventIds: number[], digest: boolean) => {
        const messageId = `<${createHash('sha256').update(`${recipient}|${ids.join(',')}`).digest('hex').slice(0, 16)}.${randomBytes(6).toString('hex')}@xjwatch.local>`;
        const mailId = this.store.newMail(messageId, recipient, now);
        this.store.putInMail(mailId, ids);
        formed.push({ mailId, recipient, eventIds, digest });
      };
      for (const a of pending.filter((a) => a.send === 'immediate')) newMail(a.recipient, [a.id], [a.event_id], false);
      const digests = new Map<string, typeof pending>();
      for (const a of pending.filter((a) => a.send !== 'immediate')) digests.set(`${a.recipient}|${a.send}`, [...(digests.get(`${a.recipient}|${a.send}`) ?? []), a]);
      for (const group of digests.values()) {
        if (flush || group.some((a) => a.due_at <= now)) newMail(group[0]!.recipient, group.map((a) => a.id), group.map((a) => a.event_id), true);
      }
    });
    return formed;
  }

  events(ids: number[]): EventRecord[] {
    return ids.map((id) => this.store.event(id)).filter((e): e is EventRecord => Boolean(e));
  }

  /** The alerts a mail carries, in the order they were queued. */
  alertsOf(mailId: number): { event_id: number; send: string }[] {
    return this.store.alertsOf(mailId);
  }

  setRendered(mailId: number, subject: string, rawSha: string): void {
    this.store.setRendered(mailId, subject, rawSha);
  }

  /** Mails to send now: queued and due (or all queued, when retrying by hand or rendering). */
  due(all: boolean): MailRecord[] {
    return this.store.queued(all ? undefined : new Date().toISOString());
  }

  /**
   * Takes a queued mail for this process, under the write lock: refused while another live
   * process holds it (cron and a hand sending at once), granted when that process died mid-way.
   */
  claim(m: MailRecord, leaseMs = 10 * 60_000): boolean {
    return this.store.immediate(() => {
      const row = this.store.lease(m.id);
      if (row.state !== 'queued') return false;
      const now = new Date().toISOString();
      // a lease taken on another machine (a team's shared outbox) lasts its term: its pid cannot be asked here
      const here = !row.lease_host || row.lease_host === hostname();
      if (row.lease_pid && !(here && row.lease_pid === process.pid) && row.lease_until && row.lease_until > now && (!here || processAlive(row.lease_pid))) return false;
      this.store.setLease(m.id, process.pid, hostname(), new Date(Date.now() + leaseMs).toISOString());
      return true;
    });
  }

  markSent(id: number, via: string): void {
    this.store.markSent(id, new Date().toISOString(), via);
  }

  markFailed(id: number, error: string): void {
    const attempts = this.store.attempts(id) + 1;
    this.store.markFailed(id, attempts, error, new Date(Date.now() + backoffMs(attempts)).toISOString());
  }

  list(): (MailRecord & { events: number })[] {
    return this.store.mails();
  }

  waitingDigests(): { recipient: string; send: string; due_at: string; n: number }[] {
    return this.store.waitingDigests();
  }
}
