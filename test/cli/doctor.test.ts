import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalTsa, type LocalTsa } from '../../src/demo/tsa.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { startSmtp, type LocalSmtp } from '../helpers/smtp.js';

const SECRET = 'pa55-w0rd-never-shown';

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('xjwatch doctor', () => {
  let smtp: LocalSmtp;
  let tsa: LocalTsa;
  beforeAll(async () => {
    [smtp, tsa] = await Promise.all([startSmtp({ user: 'alerts', pass: SECRET }), startLocalTsa()]);
  });
  afterAll(async () => {
    await Promise.all([smtp.stop(), tsa.close()]);
  });

  it('on a ready machine: every check ok or not configured, the mail server logged into and a time-stamp token issued, exit 0, no secret printed', async () => {
    const r = await runCli(['doctor', '--json', '--data-dir', join(tempDir(), 'new')], { env: { XJWATCH_SMTP_URL: smtp.url('alerts', SECRET), XJWATCH_TSA_URLS: tsa.url } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const by = Object.fromEntries(r.json.map((c) => [c.check, c]));
    expect(Object.keys(by)).toEqual(expect.arrayContaining(['node', 'chromium', 'cjk-font', 'openssl', 'sqlite', 'data-dir', 'smtp', 'tsa']));
    for (const c of r.json) expect(['ok', 'skip'], `${c.check}: ${c.detail}`).toContain(c.status);
    expect(by.chromium.detail).toMatch(/^Chromium \d+/);
    expect(by['cjk-font'].detail).toContain('real glyphs');
    expect(by.sqlite.detail).toMatch(/FTS5 trigram/);
    expect(by['data-dir'].detail).toMatch(/not made yet.*GiB free/);
    expect(by.smtp.detail).toContain(`smtp 127.0.0.1:${smtp.port}: connected and accepted the login`);
    expect(by.tsa.detail).toMatch(/issued a token/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('names what is missing and the fix, one line each, exit 1: no browser, a dead mail server, a dead TSA, a data directory that cannot be written', async () => {
    const port = await closedPort();
    const r = await runCli(['doctor', '--data-dir', '/proc/xjwatch-cannot-be-here'], {
      env: { XJWATCH_CHROMIUM: '/nonexistent/chromium', XJWATCH_SMTP_URL: `smtp://alerts:${SECRET}@127.0.0.1:${port}`, XJWATCH_TSA_URLS: `http://127.0.0.1:${port}/tsr` },
    });
    expect(r.code).toBe(1);
    const line = (check: string) => r.stdout.split('\n').find((l) => new RegExp(`^\\S+\\s+${check}\\s`).test(l)) ?? '';
    expect(line('chromium')).toMatch(/^FAIL .*\/nonexistent\/chromium, which does not exist/);
    expect(r.stdout).toContain('fix: run `npm run setup`');
    expect(line('smtp')).toMatch(/^FAIL .*cannot reach the mail server/);
    expect(line('tsa')).toMatch(/^FAIL .*127\.0\.0\.1/);
    expect(line('data-dir')).toMatch(/^FAIL .*not writable/);
    expect(line('sqlite')).toMatch(/^ok /);
    expect(r.stdout).toMatch(/4 check\(s\) failed: chromium, data-dir, smtp, tsa/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('fails the mail check when settings name recipients but no mail server is set', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.yaml'), 'mail:\n  recipients:\n    - to: researcher@example.org\n');
    const r = await runCli(['doctor', '--json', '--data-dir', dir], { env: { XJWATCH_SMTP_URL: '' } });
    expect(r.code).toBe(1);
    const smtpCheck = r.json.find((c) => c.check === 'smtp');
    expect(smtpCheck.status).toBe('fail');
    expect(smtpCheck.detail).toMatch(/names 1 recipient\(s\), but XJWATCH_SMTP_URL is not set/);
  });
});
