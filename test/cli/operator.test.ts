import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFile, startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { startSmtp, type LocalSmtp } from '../helpers/smtp.js';
import { Watching } from '../helpers/watching.js';

/**
 * Operator health through the real CLI: a site down for N runs, a list whose selector matches
 * nothing, a disk below its threshold and an outbox that cannot reach its server — each reported
 * once to the operator's recipients (never to the researchers'), once more when it clears, and
 * not again after a restart.
 */
let fx: RunningFixtures;
beforeAll(async () => {
  fx = await startFixtureSites({ countyPostings: 12, hostile: false });
});
afterAll(async () => fx?.close());

const recipients = ['mail:', '  recipients:', '    - to: desk@example.org', '    - to: ops@example.org', '      kind: operator'];

/** The .eml files written so far to one recipient, parsed, in the order they were written. */
async function mails(dir: string, to: string): Promise<{ subject: string; text: string }[]> {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
  } catch {
    return [];
  }
  const parsed = await Promise.all(files.map((f) => simpleParser(readFileSync(join(dir, f)))));
  return parsed.filter((m) => m.headers.get('to') && JSON.stringify(m.to).includes(to)).map((m) => ({ subject: m.subject ?? '', text: m.text ?? '' }));
}

function regionalFile(): string {
  return siteFile('regional', fx.sites.regional).replace('timeoutMs: 10000', 'timeoutMs: 600').replace('retries: { count: 2, backoffMs: 50 }', 'retries: { count: 1, backoffMs: 20, breakAfter: 6 }');
}

describe('a site down for N runs', () => {
  it('raises host_blocked once, for the operator only, lists it in status, and clears it when the site is back', async () => {
    const site = fx.sites.regional;
    const dir = tempDir('xjwatch-op-blocked-');
    const data = join(dir, 'data');
    const file = join(dir, 'regional.yaml');
    writeFileSync(file, regionalFile());
    writeFileSync(join(dir, 'settings.yaml'), [...recipients, 'operator: { blockedRuns: 3 }', ''].join('\n'));
    const mailDir = join(dir, 'mail');
    const crawl = () => runCli(['crawl', file, '--json', '--max-pages', '1', '--data-dir', data, '--config', join(dir, 'settings.yaml'), '--mail-dir', mailDir]);
    try {
      const base = await crawl();
      expect(base.code, base.stderr).toBe(0);
      expect(base.json.filter((e) => e.kind === 'operator')).toEqual([]);

      site.down = { status: 503 };
      const runs = [await crawl(), await crawl(), await crawl(), await crawl()];
      const ops = runs.map((r) => r.json.filter((e) => e.kind === 'operator'));
      // not before the third run in a row, and not again at the fourth
      expect(ops.map((o) => o.length)).toEqual([0, 0, 1, 0]);
      const raised = ops[2]![0];
      expect(raised).toMatchObject({ kind: 'operator', problem: 'host_blocked', state: 'raised', subject: 'regional', site: 'regional', host: new URL(site.base).host });
      expect(raised.summary).toMatch(/^regional \(127\.0\.0\.1:\d+\): unreachable in 3 runs in a row since \S+; last: /);
      const st = (await runCli(['status', '--json', '--data-dir', data])).json[0];
      expect(st.operator).toEqual([expect.objectContaining({ problem: 'host_blocked', subject: 'regional', site: 'regional', summary: raised.summary })]);
      const human = await runCli(['status', '--data-dir', data]);
      expect(human.stdout).toMatch(/operator\n\s+host_blocked: regional \(/);

      site.down = undefined;
      const back = await crawl();
      const cleared = back.json.filter((e) => e.kind === 'operator');
      expect(cleared).toEqual([expect.objectContaining({ problem: 'host_blocked', state: 'cleared', since: raised.since })]);
      expect(back.json.map((e) => e.kind)).toContain('restored');
      expect((await runCli(['status', '--json', '--data-dir', data])).json[0].operator).toEqual([]);

      const listed = await runCli(['events', '--kind', 'operator', '--json', '--data-dir', data]);
      expect(listed.json.map((e) => `${e.problem} ${e.state}`)).toEqual(['host_blocked raised', 'host_blocked cleared']);
      // the operator hears of the site going down (site-wide), of it lasting, and of its end
      const toOps = await mails(mailDir, 'ops@example.org');
      expect(toOps.map((m) => m.subject)).toEqual([
        expect.stringMatching(/^\[xjwatch\] regional: unreachable \(whole site\)/),
        '[xjwatch] operator: site unreachable or blocked — regional',
        expect.stringMatching(/^\[xjwatch\] regional: site back/),
        '[xjwatch] operator: cleared: site unreachable or blocked — regional',
      ]);
      expect(toOps[1]!.text).toMatch(/What to do: From this machine, try `curl -sI/);
      // the researcher gets none of it (a site back is a restoration, which researchers get by default)
      expect((await mails(mailDir, 'desk@example.org')).filter((m) => /operator|unreachable/.test(m.subject))).toEqual([]);
    } finally {
      site.down = undefined;
    }
  });
});

describe('a list whose selector matches nothing', () => {
  it('raises list_broken once beside site_broken, and clears it when the list yields again', async () => {
    const dir = tempDir('xjwatch-op-list-');
    const data = join(dir, 'data');
    const file = join(dir, 'regional.yaml');
    const normal = regionalFile();
    const listUrl = fx.sites.regional.listUrl();
    writeFileSync(file, normal);
    const crawl = () => runCli(['crawl', file, '--json', '--max-pages', '1', '--recheck', 'none', '--data-dir', data]);
    expect((await crawl()).code).toBe(0);
    writeFileSync(file, normal.replace(`  - url: ${listUrl}`, `  - url: ${listUrl}\n    links: "ul.no-such-list a[href]"`));
    const broken = [await crawl(), await crawl()];
    const ops = broken.map((r) => r.json.filter((e) => e.kind === 'operator'));
    expect(ops[0]).toEqual([expect.objectContaining({ problem: 'list_broken', state: 'raised', subject: listUrl, url: listUrl, site: 'regional' })]);
    expect(ops[0]![0].summary).toContain('its links: selector matches nothing');
    expect(broken[0]!.json.map((e) => e.kind)).toContain('site_broken');
    expect(ops[1]).toEqual([]);
    writeFileSync(file, normal);
    const again = await crawl();
    expect(again.json.filter((e) => e.kind === 'operator')).toEqual([expect.objectContaining({ problem: 'list_broken', state: 'cleared', subject: listUrl })]);
  });
});

describe('a site gone quiet', () => {
  it('raises site_quiet once when no new posting came for quietDays from a site with enough dated postings, and clears it with the next one', async () => {
    const site = fx.sites.regional;
    const dir = tempDir('xjwatch-op-quiet-');
    const data = join(dir, 'data');
    const file = join(dir, 'regional.yaml');
    writeFileSync(file, regionalFile());
    // time compressed: quiet after a second; the fixture's postings are dated over the years before
    writeFileSync(join(dir, 'settings.yaml'), 'operator: { quietDays: 0.00001, lookbackDays: 3650, minPostings: 3 }\n');
    const crawl = () => runCli(['crawl', file, '--json', '--max-pages', '1', '--recheck', 'none', '--data-dir', data, '--config', join(dir, 'settings.yaml')]);
    const quiet = (r: { json: { kind: string; problem?: string }[] }) => r.json.filter((e) => e.kind === 'operator');
    expect((await crawl()).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    const [second, third] = [await crawl(), await crawl()];
    expect(quiet(second)).toEqual([expect.objectContaining({ problem: 'site_quiet', state: 'raised', subject: 'regional', site: 'regional' })]);
    expect(quiet(second)[0]).toMatchObject({ summary: expect.stringMatching(/^regional: no new posting for \d+ seconds \(the last first seen \S+\); it posted \d+ times in the 3650 days before/) });
    expect(quiet(third)).toEqual([]);
    const newest = site.postings[0]!;
    site.add({ ...newest, id: 88001, title: `${newest.title}（续）` });
    try {
      const fourth = await crawl();
      expect(quiet(fourth)).toEqual([expect.objectContaining({ problem: 'site_quiet', state: 'cleared', since: quiet(second)[0]!.since })]);
    } finally {
      site.remove(88001);
    }
  });
});

describe('the watcher: disk and outbox', () => {
  let smtp: LocalSmtp;
  beforeAll(async () => {
    smtp = await startSmtp();
    await smtp.stop(); // the server is dead until the test starts it again on its port
  });
  afterAll(async () => smtp?.stop());

  it('raises disk_filling at start and outbox_stuck when mail cannot go out, mails the operator only, clears them, and does not repeat them after a restart', async () => {
    const dir = tempDir('xjwatch-op-watch-');
    const data = join(dir, 'data');
    const file = join(dir, 'county.yaml');
    // a schedule that does not come round during the test: only the watcher's own checks run
    writeFileSync(file, siteFile('county', fx.sites.county).replace(/^screenshots: .*$/m, 'schedule: "0 0 1 1 *"\nscreenshots: false'));
    const settings = join(dir, 'settings.yaml');
    const write = (disk: string) => writeFileSync(settings, [...recipients, 'watch: { jitterSeconds: 0, outboxSeconds: 1 }', `operator: { ${disk}, outboxMinutes: 0.02 }`, ''].join('\n'));
    // a threshold no disk meets
    write('diskFreeMB: 1000000000');
    const env = { XJWATCH_SMTP_URL: smtp.url(), XJWATCH_MAIL_FROM: 'xjwatch <ops@example.org>' };
    const args = [file, '--json', '--data-dir', data, '--config', settings];
    const to = (addr: string) => smtp.received.filter((r) => r.rcpt.includes(addr));
    const op = (w: Watching, problem: string, state: string) => w.events.filter((e) => e.kind === 'operator' && e.problem === problem && e.state === state);

    const w = new Watching(args, env);
    await w.until('disk_filling', () => op(w, 'disk_filling', 'raised').length > 0, 30_000);
    expect(op(w, 'disk_filling', 'raised')[0]).toMatchObject({ subject: data, measured: expect.objectContaining({ threshold_mb: 1_000_000_000 }) });
    expect(op(w, 'disk_filling', 'raised')[0].summary).toMatch(/MiB free|GiB free/);
    // stdout's event and stderr's line come down two pipes: either may arrive first
    await w.until('the disk_filling line', () => /xjwatch: operator: disk_filling raised: .* free of /.test(w.stderr), 10_000);
    // its mail cannot go out: the outbox is stuck once it has waited outboxMinutes
    await w.until('outbox_stuck', () => op(w, 'outbox_stuck', 'raised').length > 0, 60_000);
    expect(op(w, 'outbox_stuck', 'raised')[0].summary).toMatch(/^outbox: \d+ mail\(s\) waiting, the oldest for \d+ (seconds?|minutes?) .*last error: cannot reach/);
    const st = (await runCli(['status', '--json', '--data-dir', data])).json[0];
    expect(st.operator.map((p: { problem: string }) => p.problem).sort()).toEqual(['disk_filling', 'outbox_stuck']);

    // the server comes back and the operator sends what waited (as the mail's advice says)
    await smtp.start();
    await w.until('outbox_stuck cleared', async () => {
      if (op(w, 'outbox_stuck', 'cleared').length) return true;
      await runCli(['outbox', '--send', '--data-dir', data, '--config', settings], { env });
      return op(w, 'outbox_stuck', 'cleared').length > 0;
    }, 60_000);
    await w.until('the operator mails', () => to('ops@example.org').length >= 3, 30_000);
    expect(to('ops@example.org').map((r) => r.mail.subject).sort()).toEqual(
      [`[xjwatch] operator: disk filling — ${data}`, '[xjwatch] operator: outbox stuck — outbox', '[xjwatch] operator: cleared: outbox stuck — outbox'].sort(),
    );
    expect(to('ops@example.org')[0]!.mail.text).toMatch(/What to do: /);
    expect(to('desk@example.org')).toEqual([]);
    expect(await w.stop()).toBe(0);
    expect(op(w, 'disk_filling', 'raised')).toHaveLength(1);
    expect(op(w, 'outbox_stuck', 'raised')).toHaveLength(1);

    // a restart reports nothing that is already reported
    const again = new Watching(args, env);
    await again.until('the start', () => /watching county/.test(again.stderr), 30_000);
    await new Promise((r) => setTimeout(r, 3000)); // the check at start and two outbox periods
    expect(await again.stop()).toBe(0);
    expect(again.events.filter((e) => e.kind === 'operator')).toEqual([]);

    // room again (thresholds met): cleared, once
    write('diskFreeMB: 0, diskFreePercent: 0');
    const third = new Watching(args, env);
    await third.until('disk_filling cleared', () => op(third, 'disk_filling', 'cleared').length > 0, 30_000);
    await third.until('its mail', () => to('ops@example.org').some((r) => r.mail.subject === `[xjwatch] operator: cleared: disk filling — ${data}`), 30_000);
    expect(await third.stop()).toBe(0);
    expect(third.events.filter((e) => e.kind === 'operator').map((e) => `${e.problem} ${e.state}`)).toEqual(['disk_filling cleared']);
    expect((await runCli(['status', '--json', '--data-dir', data])).json[0].operator).toEqual([]);
    expect(to('desk@example.org')).toEqual([]);
  }, 240_000);
});
