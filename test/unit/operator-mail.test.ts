import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMail, type AlertItem } from '../../src/alerts/render.js';
import { wants } from '../../src/alerts/route.js';
import { loadSettings } from '../../src/config/settings.js';

function settingsFrom(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'xjwatch-opmail-'));
  writeFileSync(join(dir, 'settings.yaml'), yaml);
  return loadSettings(dir, undefined, {});
}

const recipients = () =>
  settingsFrom(
    [
      'mail:',
      '  recipients:',
      '    - to: desk@example.org',
      '    - to: ops@example.org',
      '      kind: operator',
      '    - to: kashi-ops@example.org',
      '      kind: operator',
      '      sites: [kashi]',
      '      kinds: [operator]',
      'operator: { quietDays: 30, blockedRuns: 5 }',
      '',
    ].join('\n'),
  );

describe('operator recipients', () => {
  it('default to the operator problems and site-wide trouble; researchers keep theirs; operator settings have defaults', () => {
    const s = recipients();
    const [desk, ops, kashiOps] = s.mail.recipients;
    expect(desk).toMatchObject({ kind: 'researcher', kinds: ['new_posting', 'changed', 'delisted', 'deleted', 'restored'] });
    expect(ops).toMatchObject({ kind: 'operator', kinds: ['operator', 'unreachable', 'challenge_failed', 'restored'] });
    expect(kashiOps!.kinds).toEqual(['operator']);
    expect(s.operator).toEqual({ quietDays: 30, lookbackDays: 90, minPostings: 8, blockedRuns: 5, diskFreeMB: 2048, diskFreePercent: 2, outboxMinutes: 60 });
  });

  it('a researcher asking for operator events is told, naming the field', () => {
    expect(() => settingsFrom('mail:\n  recipients:\n    - to: desk@example.org\n      kinds: [new_posting, operator]\n')).toThrow(/kinds.*operator events go only to recipients with `kind: operator`/s);
    expect(() => settingsFrom('operator: { quietDay: 3 }\n')).toThrow(/quietDay/);
  });

  it('route operator events to operators only; machine problems to every operator; page trouble to researchers who ask', () => {
    const [desk, ops, kashiOps] = recipients().mail.recipients;
    const quiet = { kind: 'operator', site: 'kashi', terms: [] };
    const disk = { kind: 'operator', terms: [] };
    expect([desk, ops, kashiOps].map((r) => wants(r!, quiet, []))).toEqual([false, true, true]);
    expect(wants(kashiOps!, { ...quiet, site: 'county' }, [])).toBe(false);
    expect([desk, ops, kashiOps].map((r) => wants(r!, disk, []))).toEqual([false, true, true]);
    // a researcher's `--mail-to` style "everything" still never includes operator events
    expect(wants({ ...desk!, kinds: ['operator'] }, disk, [])).toBe(false);
    expect(wants(ops!, { kind: 'unreachable', site: 'kashi', scope: 'site', terms: [] }, [])).toBe(true);
    expect(wants(ops!, { kind: 'unreachable', site: 'kashi', scope: 'page', terms: [] }, [])).toBe(false);
    expect(wants(ops!, { kind: 'restored', site: 'kashi', scope: 'page', terms: [] }, [])).toBe(false);
    expect(wants(ops!, { kind: 'new_posting', site: 'kashi', terms: [] }, [])).toBe(false);
    expect(wants(desk!, { kind: 'restored', site: 'kashi', scope: 'page', terms: [] }, [])).toBe(true);
  });
});

describe('an operator mail', () => {
  const item = (body: Record<string, unknown>): AlertItem => ({ kind: 'operator', site: String(body.site ?? ''), siteName: '', url: String(body.url ?? ''), title: '', published: null, body, hits: [] });

  it('has a subject that says operator, the problem and its subject, and a body with what was measured and what to do', () => {
    const m = renderMail([item({ kind: 'operator', problem: 'disk_filling', state: 'raised', subject: '/var/lib/xjwatch', summary: '/var/lib/xjwatch: 812 MiB free of 50.0 GiB (1.6%), below the threshold of 2048 MiB or 2%', since: '2026-12-01T10:00:00.000Z', at: '2026-12-01T10:00:00.000Z', measured: {} })], { tz: 'UTC', terms: [] });
    expect(m.subject).toBe('[xjwatch] operator: disk filling — /var/lib/xjwatch');
    expect(m.text).toContain('Measured:   /var/lib/xjwatch: 812 MiB free');
    expect(m.text).toMatch(/What to do: Make room .* Do not delete files from the data directory/);
    expect(m.html).toContain('Do not delete files from the data directory');
    const c = renderMail([item({ kind: 'operator', problem: 'host_blocked', state: 'cleared', subject: 'kashi', site: 'kashi', summary: 'kashi (www.kashi.gov.cn): answers again', since: '2026-12-01T10:00:00.000Z', at: '2026-12-02T10:00:00.000Z', measured: {} })], { tz: 'UTC', terms: [] });
    expect(c.subject).toBe('[xjwatch] operator: cleared: site unreachable or blocked — kashi');
    expect(c.text).toContain('What to do: Nothing');
  });

  it('escapes what came from a site (a list URL, a server error) in HTML, and flattens it in the subject and text', () => {
    const url = 'http://x.gov.cn/list.htm?a=<script>alert(1)</script>';
    const m = renderMail([item({ kind: 'operator', problem: 'list_broken', state: 'raised', subject: `${url}\u202e\r\nBcc: x@y`, site: 'x', url, summary: `x: the list ${url} answers but yields no posting links`, since: 'x', at: 'x', measured: {} })], { tz: 'UTC', terms: [] });
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('&lt;script&gt;');
    expect(m.subject).not.toMatch(/[\r\n\u202e]/);
    expect(m.text).not.toContain('\u202e');
  });
});
