import { createHash, randomBytes } from 'node:crypto';
import type { Recipient } from '../config/settings.js';
import type { Db } from '../store/db.js';
import type { EventInput } from '../store/catalogue.js';
import type { Term } from '../terms/types.js';
import { dueAt, wants } from './route.js';

export interface MailRow {
  id: number;
  message_id: string;
  recipient: string;
  subject: string;
  created_at: string;
  raw_sha256: string | null;
  state: 'queued' | 'sent';
  attempts: number;
  next_try_at: string;
  last_error: string | null;
  sent_at: string | null;
  sent_via: string | null;
}

export interface EventRowFull {
  id: number;
  kind: string;
  site_id: string | null;
  page_id: number | null;
  url: string | null;
  at: string;
  capture_id: number | null;
  body: string;
}

/** Whether a process (on this machine, where the catalogue is) still runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Backoff between tries of one mail: 1, 2, 4 … minutes, at most 6 hours. */
export function backoffMs(attempts: number): number {
  return Math.min(6 * 3600_000, 60_000 * 2 ** Math.max(0, attempts - 1));
}

/**
 * The outbox in the catalogue. `enqueue` runs inside the event's transaction, so an event and
 * its alerts are written together or not at all.
 */
export class Outbox {
  constructor(readonly db: Db) {}

  /** The hook for Catalogue.afterEvent: queue the event for every recipient who wants it. */
  enqueuer(recipients: Recipient[], terms: Term[]): (eventId: number, e: EventInput) => void {
    const insert = this.db.prepare(`INSERT OR IGNORE INTO alerts (event_id, recipient, send, due_at) VALUES (?, ?, ?, ?)`);
    const lastHits = this.db.prepare(`SELECT h.term FROM term_hits h JOIN pages p ON p.last_capture_id = h.capture_id WHERE p.id = ?`);
    return (eventId, e) => {
      if (!recipients.length) return;
      const body = e.body as { terms?: { term: string }[] };
      const found = body.terms?.map((t) => t.term) ?? (e.pageId ? (lastHits.all(e.pageId) as { term: string }[]).map((r) => r.term) : []);
      const now = new Date();
      for (const r of recipients) {
        if (wants(r, { kind: e.kind, site: e.siteId, terms: found }, terms)) insert.run(eventId, r.to, r.send, dueAt(r, now));
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
    this.db.transaction(() => {
      const pending = this.db.prepare(`SELECT id, event_id, recipient, send, due_at FROM alerts WHERE mail_id IS NULL ORDER BY id`).all() as { id: number; event_id: number; recipient: string; send: string; due_at: string }[];
      const newMail = (recipient: string, ids: number[], eventIds: number[], digest: boolean) => {
        const messageId = `<${createHash('sha256').update(`${recipient}|${ids.join(',')}`).digest('hex').slice(0, 16)}.${randomBytes(6).toString('hex')}@xjwatch.local>`;
        const mailId = Number(this.db.prepare(`INSERT INTO mails (message_id, recipient, subject, created_at, next_try_at) VALUES (?, ?, '', ?, ?)`).run(messageId, recipient, now, now).lastInsertRowid);
        const set = this.db.prepare(`UPDATE alerts SET mail_id = ? WHERE id = ?`);
        for (const id of ids) set.run(mailId, id);
        formed.push({ mailId, recipient, eventIds, digest });
      };
      for (const a of pending.filter((a) => a.send === 'immediate')) newMail(a.recipient, [a.id], [a.event_id], false);
      const digests = new Map<string, typeof pending>();
      for (const a of pending.filter((a) => a.send !== 'immediate')) digests.set(`${a.recipient}|${a.send}`, [...(digests.get(`${a.recipient}|${a.send}`) ?? []), a]);
      for (const group of digests.values()) {
        if (flush || group.some((a) => a.due_at <= now)) newMail(group[0]!.recipient, group.map((a) => a.id), group.map((a) => a.event_id), true);
      }
    }).immediate(); // read and write under one lock: another run forming mails waits, not fails
    return formed;
  }

  events(ids: number[]): EventRowFull[] {
    const stmt = this.db.prepare(`SELECT * FROM events WHERE id = ?`);
    return ids.map((id) => stmt.get(id) as EventRowFull).filter(Boolean);
  }

  setRendered(mailId: number, subject: string, rawSha: string): void {
    this.db.prepare(`UPDATE mails SET subject = ?, raw_sha256 = ? WHERE id = ?`).run(subject, rawSha, mailId);
  }

  /** Mails to send now: queued and due (or all queued, when retrying by hand). */
  due(all: boolean): MailRow[] {
    return this.db.prepare(`SELECT * FROM mails WHERE state = 'queued' ${all ? '' : 'AND next_try_at <= ?'} ORDER BY id`).all(...(all ? [] : [new Date().toISOString()])) as MailRow[];
  }

  /**
   * Takes a queued mail for this process, under the write lock: refused while another live
   * process holds it (cron and a hand sending at once), granted when that process died mid-way.
   */
  claim(m: MailRow, leaseMs = 10 * 60_000): boolean {
    return this.db
      .transaction(() => {
        const row = this.db.prepare(`SELECT state, lease_pid, lease_until FROM mails WHERE id = ?`).get(m.id) as { state: string; lease_pid: number | null; lease_until: string | null };
        if (row.state !== 'queued') return false;
        const now = new Date().toISOString();
        if (row.lease_pid && row.lease_pid !== process.pid && row.lease_until && row.lease_until > now && alive(row.lease_pid)) return false;
        this.db.prepare(`UPDATE mails SET lease_pid = ?, lease_until = ? WHERE id = ?`).run(process.pid, new Date(Date.now() + leaseMs).toISOString(), m.id);
        return true;
      })
      .immediate();
  }

  markSent(id: number, via: string): void {
    this.db.prepare(`UPDATE mails SET state = 'sent', sent_at = ?, sent_via = ?, attempts = attempts + 1, last_error = NULL, lease_pid = NULL, lease_until = NULL WHERE id = ?`).run(new Date().toISOString(), via, id);
  }

  markFailed(id: number, error: string): void {
    const row = this.db.prepare(`SELECT attempts FROM mails WHERE id = ?`).get(id) as { attempts: number };
    const attempts = row.attempts + 1;
    this.db.prepare(`UPDATE mails SET attempts = ?, last_error = ?, next_try_at = ?, lease_pid = NULL, lease_until = NULL WHERE id = ?`).run(attempts, error, new Date(Date.now() + backoffMs(attempts)).toISOString(), id);
  }

  list(): (MailRow & { events: number })[] {
    return this.db.prepare(`SELECT m.*, (SELECT count(*) FROM alerts a WHERE a.mail_id = m.id) AS events FROM mails m ORDER BY m.id`).all() as (MailRow & { events: number })[];
  }

  waitingDigests(): { recipient: string; send: string; due_at: string; n: number }[] {
    return this.db.prepare(`SELECT recipient, send, min(due_at) AS due_at, count(*) AS n FROM alerts WHERE mail_id IS NULL GROUP BY recipient, send ORDER BY recipient`).all() as { recipient: string; send: string; due_at: string; n: number }[];
  }
}
