import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 (smtp-server), keeping every message it accepts, parsed with
 * mailparser. It can require a login, be stopped and started again on the same port, or hold
 * each message before accepting it (to kill a sender mid-delivery).
 */
export interface LocalSmtp {
  port: number;
  url(user?: string, pass?: string): string;
  received: { raw: Buffer; mail: ParsedMail; rcpt: string[] }[];
  /** ms to wait before answering the end of DATA */
  holdMs: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startSmtp(opts: { user?: string; pass?: string } = {}): Promise<LocalSmtp> {
  let server: SMTPServer | undefined;
  const s: LocalSmtp = {
    port: 0,
    url: (user, pass) => `smtp://${user ? `${encodeURIComponent(user)}:${encodeURIComponent(pass ?? '')}@` : ''}127.0.0.1:${s.port}`,
    received: [],
    holdMs: 0,
    stop: () => new Promise<void>((r) => (server ? server.close(() => r()) : r())),
    start: async () => {
      server = new SMTPServer({
        secure: false,
        hideSTARTTLS: true,
        authOptional: !opts.user,
        disableReverseLookup: true,
        logger: false,
        onAuth(auth, _session, cb) {
          if (auth.username === opts.user && auth.password === opts.pass) cb(null, { user: auth.username });
          else cb(new Error('Invalid username or password'));
        },
        onData(stream, session, cb) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const raw = Buffer.concat(chunks);
            setTimeout(() => {
              void simpleParser(raw, { keepCidLinks: true }).then((mail) => {
                s.received.push({ raw, mail, rcpt: session.envelope.rcptTo.map((r) => r.address) });
                cb();
              }, cb);
            }, s.holdMs);
          });
        },
      });
      await new Promise<void>((r, j) => {
        server!.once('error', j);
        server!.listen(s.port, '127.0.0.1', () => r());
      });
      const a = server.server.address();
      s.port = typeof a === 'object' && a ? a.port : s.port;
    },
  };
  await s.start();
  return s;
}
