import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as cheerio from 'cheerio';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { BIN, ROOT, runCli, tempDir, matrixEnv } from '../helpers/cli.js';
import { startSmtp, type LocalSmtp } from '../helpers/smtp.js';

/**
 * Alerts through the real CLI and a real SMTP server (smtp-server on 127.0.0.1), read back with
 * mailparser: what a researcher sees, escaping, digests, the server down and back, a wrong
 * password, a sender killed mid-delivery, .eml files instead of SMTP.
 */
let fx: RunningFixtures;
let smtp: LocalSmtp;
let work: string;
let dataDir: string;
let file: string;
const county = () => fx.sites.county;
const url = (id: number) => `${county().base}/info/1103/${id}.htm`;
const env = () => ({ XJWATCH_SMTP_URL: smtp.url(), XJWATCH_MAIL_FROM: 'xjwatch <alerts@example.org>' });
const crawl = (extra: string[] = [], e: Record<string, string> = env()) => runCli(['crawl', file, '--json', '--data-dir', dataDir, ...extra], { env: e, timeoutMs: 180_000 });
const to = (addr: string) => smtp.received.filter((r) => r.rcpt.includes(addr));
let satellite: number; // a posting that mentions 卫星工厂
let gone: number; // deleted with a 404 later

beforeAll(async () => {
  [fx, smtp] = await Promise.all([startFixtureSites({ countyPostings: 24, hostile: false }), startSmtp()]);
  work = tempDir('xjwatch-alerts-');
  file = join(work, 'county.yaml');
  writeFileSync(file, siteFile('county', county(), { screenshots: true }));
  dataDir = join(work, 'data');
  const withTerms = county().postings.filter((p) => p.terms.length > 0);
  satellite = withTerms.find((p) => p.terms.includes('卫星工厂'))!.id;
  gone = withTerms.find((p) => p.id !== satellite)!.id;
  writeFileSync(
    join(work, 'settings.yaml'),
    [
      'mail:',
      '  recipients:',
      '    - to: all@example.org',
      '    - to: digest@example.org',
      '      send: daily',
      '      at: "08:00"',
      '      timezone: Europe/London',
      '    - to: satellite@example.org',
      '      terms: [卫星工厂]',
      '      kinds: [new_posting]',
      '',
    ].join('\n'),
  );
}, 60_000);
afterAll(async () => Promise.all([fx?.close(), smtp?.stop()]));

const cfg = () => ['--config', join(work, 'settings.yaml')];

describe('a crawl that finds new postings with terms', () => {
  let first: Awaited<ReturnType<typeof crawl>>;
  beforeAll(async () => {
    first = await crawl(cfg());
  }, 200_000);

  it('mails each new posting with a term at once to those who want it, and keeps digests for their time', async () => {
    expect(first.code, first.stderr).toBe(0);
    const posted = first.json.filter((e) => e.kind === 'new_posting');
    expect(posted.length).toBeGreaterThan(3);
    expect(to('all@example.org').length).toBe(posted.length);
    expect(to('satellite@example.org').map((r) => r.mail.subject)).toEqual(posted.filter((e) => e.terms.some((t: { term: string }) => t.term === '卫星工厂')).map((e) => expect.stringContaining(e.title)));
    expect(to('digest@example.org')).toEqual([]);
    expect(first.stderr).toMatch(/mail: \d+ sent/);
    const box = await runCli(['outbox', '--json', '--data-dir', dataDir, ...cfg()]);
    expect(box.json.filter((x) => x.type === 'digest')).toEqual([expect.objectContaining({ to: 'digest@example.org', send: 'daily', events: posted.length })]);
    // 08:00 in London, whatever today's offset is
    const due = new Date(box.json.find((x) => x.type === 'digest').due_at);
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' }).format(due)).toBe('08:00');
    expect(due.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
  });

  it('says in the mail alone what, where, when, with the hash: subject, plain text and HTML, screenshot attached inline', async () => {
    const r = to('satellite@example.org')[0]!;
    const p = county().postings.find((x) => x.id === satellite)!;
    const event = first.json.find((e) => e.kind === 'new_posting' && e.url === url(satellite));
    expect(r.mail.subject).toBe(`[xjwatch] county: new posting mentions ${event.terms.map((t: { term: string }) => t.term).slice(0, 3).join(', ')} — ${p.title}`);
    expect(r.mail.from?.value).toEqual([{ address: 'alerts@example.org', name: 'xjwatch' }]);
    expect(r.mail.messageId).toMatch(/^<[0-9a-f]{16}\.[0-9a-f]{12}@xjwatch\.local>$/);
    const text = r.mail.text!;
    expect(text).toContain(`Title:      ${p.title}`);
    expect(text).toContain(`Address:    ${url(satellite)}`);
    expect(text).toContain('卫星工厂 (satellite factory)');
    expect(text).toContain(`SHA-256 ${event.capture.replace('sha256:', '')}`);
    expect(text).toMatch(/Captured:   \d{4}-\d\d-\d\d \d\d:\d\d Asia\/Shanghai \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)/);
    if (event.published) expect(text).toContain(`Published:  ${event.published}`);
    const $ = cheerio.load(r.mail.html as string);
    expect($('mark').first().text()).toBe('卫星工厂');
    expect($('a').map((_, a) => $(a).attr('href')).get()).toEqual([url(satellite)]);
    const imgs = $('img').map((_, i) => $(i).attr('src')).get();
    // when the picture is missing, what the crawl said of the browser and its pictures
    expect(imgs.length, first.stderr.split('\n').filter((l) => /browser|screenshot|Chromium/.test(l)).join('\n')).toBe(1);
    expect(imgs[0]).toMatch(/^cid:/); // never a remote image
    const png = r.mail.attachments.find((a) => a.contentType === 'image/png')!;
    expect(png.cid).toBe(imgs[0]!.slice(4));
    expect(png.content.subarray(1, 4).toString()).toBe('PNG');
  });

  it('names a term found in an attachment with its file and place, in both parts of the mail', () => {
    type T = { term: string; places?: string[] };
    const withPlace = first.json.find((e) => e.kind === 'new_posting' && e.terms.some((t: T) => t.term === '卫星工厂' && t.places?.length));
    expect(withPlace, 'a posting whose attachment has 卫星工厂').toBeDefined();
    const placed = withPlace.terms.find((t: T) => t.term === '卫星工厂');
    const r = to('satellite@example.org').find((m) => m.mail.text!.includes(`Address:    ${withPlace.url}`))!;
    expect(r.mail.text).toMatch(new RegExp(`Term: +卫星工厂 \\(satellite factory\\) ×\\d+ in [^\\n]*${placed.places[0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const $ = cheerio.load(r.mail.html as string);
    expect($('small').map((_, e) => $(e).text()).get().join(' ')).toContain(placed.places[0]);
  });
});

describe('a confirmed deletion, an edit with a hostile title, a digest', () => {
  let editedUrl: string;
  beforeAll(async () => {
    county().delete(gone, '404');
    const victim = county().postings.find((p) => p.id !== satellite && p.id !== gone)!;
    editedUrl = url(victim.id);
    county().edit(victim.id, (p) => {
      // U+202E would show the rest of the title reversed if a mail client obeyed it
      p.title = '<script>alert(1)</script>请访问 http://kashi.gov.cn.evil.example/login 领取\u202E取领';
      p.paragraphs.push('<img src=http://evil.example/t.png onerror=alert(2)>新增卫星工厂一座。');
    });
    expect((await crawl(cfg())).code).toBe(0);
    expect((await crawl(cfg())).code).toBe(0);
  }, 300_000);

  it('mails the deletion once, confirmed, with what the URL answers now, the last capture and the proof attached', async () => {
    const mails = to('all@example.org').filter((r) => r.mail.subject!.includes('page deleted'));
    expect(mails.length).toBe(1);
    const m = mails[0]!.mail;
    expect(m.subject).toBe(`[xjwatch] county: page deleted (http_404) — ${county().postings.find((p) => p.id === gone)!.title}`);
    expect(m.text).toContain('the address answers 404 Not Found');
    expect(m.text).toMatch(/Confirmed:  on 2 check\(s\) in a row since .* with healthy controls/);
    expect(m.text).toMatch(/Last seen:  .* sha256:[0-9a-f]{64}/);
    expect(m.text).toContain('Evidence:   deleted (http_404), confirmed on 2 checks with healthy controls; bundle attached');
    expect(m.text).toContain('npx xjwatch verify ');
    const zip = m.attachments.find((a) => a.contentType === 'application/zip')!;
    expect(zip.size).toBeGreaterThan(1000);
    expect(zip.content.subarray(0, 2).toString()).toBe('PK');
    // nobody asked for suspicions: the first failing check mailed nothing
    expect(to('all@example.org').some((r) => r.mail.subject!.includes('may have been deleted'))).toBe(false);
  });

  it('escapes a hostile title and page text: no script, no remote image, no link but the page itself', () => {
    const r = to('all@example.org').find((x) => x.mail.subject!.includes('page changed'))!;
    expect(r).toBeDefined();
    expect(r.mail.subject).toContain('<script>alert(1)</script>'); // a subject is plain text
    const $ = cheerio.load(r.mail.html as string);
    expect($('script').length).toBe(0);
    expect($('img').map((_, i) => $(i).attr('src')).get().every((src) => src.startsWith('cid:'))).toBe(true); // its screenshot, attached
    expect($('*').filter((_, e) => Object.keys((e as { attribs?: object }).attribs ?? {}).some((a) => a.startsWith('on'))).length).toBe(0);
    expect($('a').map((_, a) => $(a).attr('href')).get()).toEqual([editedUrl]);
    expect(r.mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // the plain-text part shows it as text; the lookalike address is never made a link
    expect(r.mail.text).toContain('Title:      <script>alert(1)</script>请访问 http://kashi.gov.cn.evil.example/login 领取');
    expect(r.mail.text).toMatch(/Added:      \[\+.*新增卫星工厂一座/);
    expect(r.mail.html).not.toMatch(/href="[^"]*evil/);
    // a bidirectional override is shown, not obeyed, in the HTML; stripped from subject and text
    expect(r.mail.html).toContain('领取⟨U+202E⟩取领');
    expect(r.mail.html).not.toContain('\u202E');
    expect(r.mail.subject).not.toContain('\u202E');
  });

  it('gathers the digest recipient\'s events into one mail when it is due (here: --flush)', async () => {
    const before = smtp.received.length;
    const r = await runCli(['outbox', '--send', '--flush', '--data-dir', dataDir, ...cfg()], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(smtp.received.length).toBe(before + 1);
    const d = to('digest@example.org');
    expect(d.length).toBe(1);
    expect(d[0]!.mail.subject).toMatch(/^\[xjwatch\] daily digest: \d+ new posting, 1 changed, 1 deleted \(\d{4}-\d\d-\d\d\)$/);
    expect(d[0]!.mail.text).toContain('Europe/London');
    const again = await runCli(['outbox', '--send', '--data-dir', dataDir, ...cfg()], { env: env() });
    expect(again.code).toBe(0);
    expect(smtp.received.length).toBe(before + 1);
  });
});

describe('the mail server down, a wrong password, a sender killed mid-delivery', () => {
  it('keeps every mail while SMTP is down and sends each exactly once when it is back', async () => {
    await smtp.stop();
    const before = smtp.received.length;
    const r = await runCli(['crawl', file, '--data-dir', dataDir, '--mail-to', 'adhoc@example.org', '--recheck', 'none'], { env: env() });
    // nothing new on the site: make an event that must be mailed
    expect(r.code).toBe(0);
    county().edit(satellite, (p) => p.paragraphs.push('另有扶贫车间三处。'));
    const c = await runCli(['check', url(satellite), '--data-dir', dataDir, '--mail-to', 'adhoc@example.org'], { env: env() });
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toMatch(/mail: 1 waiting in the outbox .*cannot reach the mail server/);
    const box = await runCli(['outbox', '--json', '--data-dir', dataDir]);
    const queued = box.json.filter((m) => m.type === 'mail' && m.state === 'queued');
    expect(queued).toEqual([expect.objectContaining({ to: 'adhoc@example.org', attempts: 3 })]);
    expect(queued[0].last_error).toContain('cannot reach the mail server');
    await smtp.start();
    const send = await runCli(['outbox', '--send', '--data-dir', dataDir], { env: env() });
    expect(send.code, send.stderr).toBe(0);
    expect(smtp.received.length).toBe(before + 1);
    expect(smtp.received.at(-1)!.mail.messageId).toBe(queued[0].message_id);
    expect(smtp.received.at(-1)!.mail.subject).toContain('page changed');
    await runCli(['outbox', '--send', '--data-dir', dataDir], { env: env() });
    expect(smtp.received.length).toBe(before + 1);
  }, 120_000);

  it('a wrong password is a clear error that never shows the password; the mail waits and goes with the right one', async () => {
    const guarded = await startSmtp({ user: 'watcher', pass: 'right-secret' });
    try {
      county().edit(satellite, (p) => p.paragraphs.push('再增设卫星工厂一座。'));
      const bad = { XJWATCH_SMTP_URL: guarded.url('watcher', 'wrong-secret-123') };
      const c = await runCli(['check', url(satellite), '--data-dir', dataDir, '--mail-to', 'adhoc@example.org'], { env: bad });
      expect(c.code).toBe(0);
      expect(c.stderr).toContain('the mail server refused the login (check the user and password in XJWATCH_SMTP_URL)');
      expect(c.stderr).not.toContain('wrong-secret-123');
      const again = await runCli(['outbox', '--send', '--data-dir', dataDir], { env: bad });
      expect(again.code).toBe(1);
      expect(again.stderr + again.stdout).not.toContain('wrong-secret-123');
      const box = await runCli(['outbox', '--data-dir', dataDir]);
      expect(box.stdout).not.toContain('wrong-secret-123');
      expect(guarded.received.length).toBe(0);
      const ok = await runCli(['outbox', '--send', '--data-dir', dataDir], { env: { XJWATCH_SMTP_URL: guarded.url('watcher', 'right-secret') } });
      expect(ok.code, ok.stderr).toBe(0);
      expect(guarded.received.length).toBe(1);
      expect(guarded.received[0]!.mail.subject).toContain('page changed');
    } finally {
      await guarded.stop();
    }
  }, 120_000);

  it('a sender killed while the server holds the message: the retry carries the same Message-ID, nothing is lost', async () => {
    county().edit(satellite, (p) => p.paragraphs.push('第三次修改。'));
    const c = await runCli(['check', url(satellite), '--data-dir', dataDir, '--mail-to', 'adhoc@example.org'], { env: { XJWATCH_SMTP_URL: 'smtp://127.0.0.1:9' } });
    expect(c.code).toBe(0);
    const queued = (await runCli(['outbox', '--json', '--data-dir', dataDir])).json.filter((m) => m.type === 'mail' && m.state === 'queued');
    expect(queued.length).toBe(1);
    smtp.holdMs = 4000;
    const before = smtp.received.length;
    const child = spawn(process.execPath, [BIN, 'outbox', '--send', '--data-dir', dataDir], { cwd: ROOT, env: { ...process.env, ...matrixEnv(['--data-dir', dataDir]), ...env() }, stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 2500)); // the message is with the server, unanswered
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    await new Promise((r) => setTimeout(r, 2000)); // the server finishes with what it had
    smtp.holdMs = 0;
    const retry = await runCli(['outbox', '--send', '--data-dir', dataDir], { env: env() });
    expect(retry.code, retry.stderr).toBe(0);
    const got = smtp.received.slice(before);
    expect(got.length).toBeGreaterThanOrEqual(1);
    // whether the server kept the first copy or not, every copy is the same mail: a client shows it once
    expect(new Set(got.map((g) => g.mail.messageId))).toEqual(new Set([queued[0].message_id]));
    const box = (await runCli(['outbox', '--json', '--data-dir', dataDir])).json;
    expect(box.filter((m) => m.type === 'mail' && m.state === 'queued')).toEqual([]);
  }, 120_000);
});

describe('two runs sending at once', () => {
  it('never both send the same mail (each run claims a mail before sending it)', async () => {
    county().edit(satellite, (p) => p.paragraphs.push('第五次修改。'));
    const c = await runCli(['check', url(satellite), '--data-dir', dataDir, '--mail-to', 'adhoc@example.org'], { env: { XJWATCH_SMTP_URL: 'smtp://127.0.0.1:9' } });
    expect(c.code).toBe(0);
    const before = smtp.received.length;
    smtp.holdMs = 1500;
    const [a, b] = await Promise.all([runCli(['outbox', '--send', '--data-dir', dataDir], { env: env() }), runCli(['outbox', '--send', '--data-dir', dataDir], { env: env() })]);
    smtp.holdMs = 0;
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(smtp.received.length).toBe(before + 1);
  }, 60_000);
});

describe('--mail-dir: .eml files for people without SMTP', () => {
  it('writes each mail as an .eml file that any mail client opens', async () => {
    const dir = join(work, 'eml');
    county().edit(satellite, (p) => p.paragraphs.push('第四次修改。'));
    const c = await runCli(['check', url(satellite), '--data-dir', dataDir, '--mail-to', 'files@example.org', '--mail-dir', dir], { env: { XJWATCH_SMTP_URL: '' } });
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toContain(`1 written as .eml files in ${dir}`);
    const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(files.length).toBe(1);
    const m = await simpleParser(readFileSync(join(dir, files[0]!)));
    expect(m.to && 'text' in m.to ? m.to.text : '').toBe('files@example.org');
    expect(m.subject).toContain('page changed');
    expect(existsSync(join(dir, `${files[0]}.tmp`))).toBe(false);
  });

  it('a bad address or settings file is a clear error naming it (exit 2)', async () => {
    const bad = await runCli(['crawl', file, '--data-dir', dataDir, '--mail-to', 'not-an-address']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--mail-to: not an e-mail address: not-an-address');
    const s = join(work, 'bad-settings.yaml');
    writeFileSync(s, 'mail:\n  recipients:\n    - to: a@example.org\n      send: hourly\n');
    const r = await runCli(['crawl', file, '--data-dir', dataDir, '--config', s]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-settings\.yaml:4: mail\.recipients\[0\]\.send/);
  });
});
