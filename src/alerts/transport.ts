import nodemailer from 'nodemailer';

/** Where mails go: the SMTP server in XJWATCH_SMTP_URL. Credentials never leave this module. */
export interface Transport {
  /** how the mail went, for the outbox ("smtp host:port") */
  via: string;
  send(raw: Buffer, envelope: { from: string; to: string }): Promise<void>;
  close(): void;
}

export class MailConfigError extends Error {
  override name = 'MailConfigError';
}

/** The address mails come from: XJWATCH_MAIL_FROM, else xjwatch@<the SMTP host>. */
export function mailFrom(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XJWATCH_MAIL_FROM) return env.XJWATCH_MAIL_FROM;
  try {
    return `xjwatch@${new URL(env.XJWATCH_SMTP_URL ?? '').hostname || 'localhost'}`;
  } catch {
    return 'xjwatch@localhost';
  }
}

/** The SMTP URL with its password blanked: for messages and logs. */
export function redact(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text.replace(/(smtps?:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
  try {
    const u = new URL(env.XJWATCH_SMTP_URL ?? '');
    for (const secret of [u.password, decodeURIComponent(u.password)]) if (secret) out = out.split(secret).join('***');
  } catch {
    // no URL, nothing to hide
  }
  return out;
}

/** Plain words for what went wrong with the mail server. */
export function explain(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  if (e.code === 'EAUTH') return `the mail server refused the login (check the user and password in XJWATCH_SMTP_URL): ${redact(e.response ?? e.message ?? '')}`;
  if (e.code === 'ECONNECTION' || e.code === 'ESOCKET' || e.code === 'ETIMEDOUT' || e.code === 'EDNS') return `cannot reach the mail server (${e.code}): ${redact(e.message ?? '')}`;
  if (e.responseCode) return `the mail server refused the mail (${e.responseCode}): ${redact(e.response ?? e.message ?? '')}`;
  return redact(e.message ?? String(err));
}

export function smtpTransport(env: NodeJS.ProcessEnv = process.env): Transport {
  const url = env.XJWATCH_SMTP_URL;
  if (!url) throw new MailConfigError('no mail server: set XJWATCH_SMTP_URL (e.g. smtp://user:password@mail.example.org:587), or write .eml files with --mail-dir DIR');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new MailConfigError('XJWATCH_SMTP_URL is not a URL (smtp://user:password@host:port or smtps://…)');
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new MailConfigError(`XJWATCH_SMTP_URL must start with smtp:// or smtps://, not ${u.protocol}//`);
  // smtp:// upgrades with STARTTLS whenever the server offers it; smtps:// is TLS from the start
  const t = nodemailer.createTransport(url, { connectionTimeout: 20_000, greetingTimeout: 20_000, socketTimeout: 60_000 } as object);
  return {
    via: `smtp ${u.hostname}:${u.port || (u.protocol === 'smtps:' ? 465 : 587)}`,
    async send(raw, envelope) {
      await t.sendMail({ envelope, raw });
    },
    close: () => t.close(),
  };
}

/** Connects to the mail server and logs in, sending nothing: does XJWATCH_SMTP_URL work? */
export async function checkSmtp(env: NodeJS.ProcessEnv = process.env, timeoutMs = 10_000): Promise<{ via: string; problem?: string }> {
  const parsed = smtpTransport(env); // throws MailConfigError for a missing or malformed URL
  const via = parsed.via;
  parsed.close();
  const t = nodemailer.createTransport(env.XJWATCH_SMTP_URL!, { connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs } as object);
  try {
    await t.verify();
    return { via };
  } catch (e) {
    return { via, problem: explain(e) };
  } finally {
    t.close();
  }
}
