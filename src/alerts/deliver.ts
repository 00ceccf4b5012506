import { existsSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Recipient, Settings } from '../config/settings.js';
import { shellQuote } from '../text/shell-quote.js';
import { BlobStore, sha256Hex } from '../store/blobs.js';
import { alertPage, captureHits, captureStamp, lastScreenshot, siteName } from '../store/alert-reads.js';
import type { Db } from '../store/db.js';
import type { EventRecord } from '../store/rows.js';
import { writeFileAtomic } from '../store/atomic.js';
import type { Term } from '../terms/types.js';
import { Outbox } from './outbox.js';
import { renderMail, type AlertItem } from './render.js';
import type { Transport } from './transport.js';

export interface DeliverOptions {
  dataDir: string;
  db: Db;
  settings: Settings;
  terms: Term[];
  /** recipients of this run only (`--mail-to`), besides the settings' */
  extraRecipients?: Recipient[];
  /** write .eml files here instead of sending */
  mailDir?: string;
  /** send every queued mail now, whatever its backoff says */
  all?: boolean;
  /** send digests now rather than at their time */
  flush?: boolean;
  /** tries per mail in this call, a little apart (later tries wait for the next run or `outbox --send`) */
  tries?: number;
  log: (line: string) => void;
}

export interface DeliverResult {
  sent: number;
  waiting: number;
  errors: string[];
}

/** Forms the due mails, renders each once, and sends what is queued; never loses a mail. */
export async function deliver(o: DeliverOptions): Promise<DeliverResult> {
  const outbox = new Outbox(o.db);
  const blobs = BlobStore.of(o.dataDir);
  outbox.formMails(Boolean(o.flush));
  const recipients = [...(o.extraRecipients ?? []), ...o.settings.mail.recipients];
  // a mail not rendered yet, or whose kept bytes are gone or damaged (blobs are not fsynced one
  // by one): rendered (again) from its events; its Message-ID stays what it was
  const unrendered = outbox.due(true).filter((m) => !m.raw_sha256 || !intact(blobs, m.raw_sha256));
  for (const m of unrendered) {
    // nodemailer and the evidence builder load only for a run that has mail to make or send
    const [{ default: MailComposer }, { mailFrom }] = await Promise.all([import('nodemailer/lib/mail-composer/index.js'), import('./transport.js')]);
    const alerts = outbox.alertsOf(m.id);
    const r = recipients.find((x) => x.to === m.recipient);
    const tz = r?.timezone ?? 'Asia/Shanghai';
    const items = await Promise.all(outbox.events(alerts.map((a) => a.event_id)).map((e) => itemFor(o, e, blobs)));
    const digest = alerts[0]?.send === 'daily' || alerts[0]?.send === 'weekly' ? (alerts[0].send as 'daily' | 'weekly') : undefined;
    const mail = renderMail(items, { tz, terms: o.terms, ...(digest ? { digest } : {}) });
    const raw = await new MailComposer({
      from: mailFrom(),
      to: m.recipient,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      attachments: mail.attachments,
      messageId: m.message_id,
      date: new Date(m.created_at),
      headers: { 'X-Xjwatch-Events': alerts.map((a) => a.event_id).join(' '), 'Auto-Submitted': 'auto-generated' },
    })
      .compile()
      .build();
    outbox.setRendered(m.id, mail.subject, await blobs.put(raw));
  }

  const due = outbox.due(Boolean(o.all)).filter((m) => m.raw_sha256);
  const result: DeliverResult = { sent: 0, waiting: 0, errors: [] };
  if (!due.length) return result;
  if (o.mailDir) {
    for (const m of due) {
      if (!outbox.claim(m)) continue;
      writeFileAtomic(join(o.mailDir, `${String(m.id).padStart(5, '0')}-${m.message_id.replace(/[<>]/g, '').replace(/[^a-z0-9.@-]+/gi, '_')}.eml`), blobs.get(m.raw_sha256!));
      outbox.markSent(m.id, `file ${o.mailDir}`);
      result.sent++;
    }
    return result;
  }
  const { explain, mailFrom, MailConfigError, smtpTransport } = await import('./transport.js');
  let transport: Transport;
  try {
    transport = smtpTransport();
  } catch (err) {
    if (!(err instanceof MailConfigError)) throw err;
    result.waiting = due.length;
    result.errors.push(err.message);
    return result;
  }
  try {
    for (const m of due) {
      if (!outbox.claim(m)) continue; // another run is sending it
      const raw = blobs.get(m.raw_sha256!);
      let last = '';
      for (let t = 0; t < (o.tries ?? 3); t++) {
        // a failed try gave the lease up: another run may have taken the mail (and sent it) meanwhile
        if (t > 0 && !outbox.claim(m)) {
          last = '';
          break;
        }
        try {
          await transport.send(raw, { from: mailFrom(), to: m.recipient });
        } catch (err) {
          last = explain(err);
          outbox.markFailed(m.id, last);
          // a refused login or a refused address will not change in a second
          if ((err as { code?: string }).code === 'EAUTH' || ((err as { responseCode?: number }).responseCode ?? 0) >= 500) break;
          if (t + 1 < (o.tries ?? 3)) await new Promise((r) => setTimeout(r, 1000 * 2 ** t));
          continue;
        }
        // outside the try: a catalogue error after the server took the mail must not send it again
        outbox.markSent(m.id, transport.via);
        result.sent++;
        last = '';
        break;
      }
      if (last) {
        result.waiting++;
        if (!result.errors.includes(last)) result.errors.push(last);
        // a server that cannot be reached or refuses the login will not take the next mail either
        if (/^cannot reach|refused the login/.test(last)) {
          result.waiting += due.length - due.indexOf(m) - 1;
          break;
        }
      }
    }
  } finally {
    transport.close();
  }
  return result;
}

function intact(blobs: BlobStore, sha: string): boolean {
  try {
    return sha256Hex(blobs.get(sha)) === sha;
  } catch {
    return false;
  }
}

async function itemFor(o: DeliverOptions, e: EventRecord, blobs: BlobStore): Promise<AlertItem> {
  const body = JSON.parse(e.body) as Record<string, unknown>;
  const page = e.page_id ? alertPage(o.db, e.page_id) : undefined;
  const name = e.site_id ? siteName(o.db, e.site_id) : undefined;
  const captureId = e.capture_id ?? (e.kind === 'deleted' || e.kind === 'suspected_deletion' || e.kind === 'delisted' ? page?.last_capture_id : null);
  const capture = captureId ? captureStamp(o.db, captureId) : undefined;
  const hits = Array.isArray(body.terms)
    ? (body.terms as AlertItem['hits'])
    : captureId
      ? captureHits(o.db, captureId)
      : [];
  const item: AlertItem = {
    kind: e.kind,
    site: e.site_id ?? '',
    siteName: name ?? e.site_id ?? '',
    url: e.url ?? page?.url ?? '',
    title: String(body.title ?? page?.title ?? ''),
    published: (body.published as string | null | undefined) ?? page?.published ?? null,
    body,
    hits,
    ...(capture ? { capture: { at: capture.at, sha256: capture.body_sha256 } } : {}),
  };
  // the page as a reader saw it, for new postings with hits and for changes
  if ((e.kind === 'new_posting' || e.kind === 'changed') && captureId) {
    const shot = lastScreenshot(o.db, captureId);
    if (shot && blobs.has(shot)) item.screenshot = { filename: `screenshot-${e.site_id}-${page?.id ?? e.id}.png`, content: blobs.get(shot) };
  }
  if (e.kind === 'deleted' || e.kind === 'suspected_deletion') {
    const dir = join(o.dataDir, 'evidence', `${e.kind === 'deleted' ? 'deleted' : 'suspected'}-${page?.id ?? 'x'}-event${e.id}`);
    item.proveCommand = `npx xjwatch prove ${shellQuote(item.url)} --out ${shellQuote(`${dir}-again`)} --data-dir ${shellQuote(o.dataDir)}`;
    if (e.kind === 'deleted' && page) {
      try {
        const made = existsSync(dir)
          ? { dir, zip: `${dir}.zip`, headline: String((JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { pages: { headline: string }[] }).pages[0]?.headline ?? '') }
          : await (await import('../evidence/prove.js')).prove({ dataDir: o.dataDir, db: o.db, urls: [item.url], out: dir, terms: o.terms, tsas: o.settings.timestamps }).then((r) => ({ dir: r.dir, zip: r.zip, headline: r.pages[0]!.verdict.headline }));
        const small = existsSync(made.zip) && statSync(made.zip).size <= o.settings.mail.attachBundleMB * 1024 * 1024;
        item.bundle = { ...made, ...(small ? { attach: readFileSync(made.zip) } : {}) };
        item.proveCommand = `npx xjwatch verify ${shellQuote(made.dir)}   (or make a fresh one: npx xjwatch prove ${shellQuote(item.url)} --out DIR --data-dir ${shellQuote(o.dataDir)})`;
      } catch (err) {
        o.log(`could not build the evidence bundle for ${item.url}: ${(err as Error).message}`);
      }
    }
  }
  return item;
}
