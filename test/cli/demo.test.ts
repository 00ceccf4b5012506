import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

describe('xjwatch demo', () => {
  it('serves the fixture sites, crawls them into its own data directory, shows what it found and where, exit 0', async () => {
    const dataDir = join(tempDir('xjwatch-demo-test-'), 'demo');
    // the whole tour, Chromium included; a loaded CI machine may take minutes
    const r = await runCli(['demo', '--data-dir', dataDir], { timeoutMs: 300_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NEW /m);
    expect(r.stdout).toMatch(/\d+ postings and \d+ attachments captured; \d+ mention tracked terms/);
    expect(r.stdout).toContain(`${dataDir}/xjwatch.db`);
    expect(existsSync(join(dataDir, 'xjwatch.db'))).toBe(true);
    expect(readdirSync(join(dataDir, 'warc')).length).toBe(1);
    const s = await runCli(['search', '卫星工厂', '--json', '--data-dir', dataDir]);
    expect(s.code).toBe(0);
    expect(s.json.length).toBeGreaterThan(5);
    // the tour ends with a proof: a time-stamped bundle that verifies
    expect(r.stdout).toContain('deleted (http_404), confirmed on 2 checks with healthy controls');
    expect(r.stdout).toMatch(/time-stamped by http:\/\/127\.0\.0\.1/);
    const bundle = readdirSync(join(dataDir, 'evidence')).find((f) => /^deleted-\d+$/.test(f))!; // step 4's (the mails' bundles are deleted-<page>-event<n>)
    const v = await runCli(['verify', join(dataDir, 'evidence', bundle)]);
    expect(v.code, v.stdout).toBe(0);
    expect(v.stdout).toContain('1 time-stamp');
    // and the researcher's mails, as .eml files: the deletions among them
    const mails = await Promise.all(readdirSync(join(dataDir, 'mail')).map((f) => simpleParser(readFileSync(join(dataDir, 'mail', f)))));
    expect(mails.filter((m) => /^\[xjwatch\] county: page deleted/.test(m.subject ?? '')).length).toBe(3);
    const store = await runCli(['verify', '--data-dir', dataDir]);
    expect(store.code, store.stdout).toBe(0);
    const sites = await runCli(['sites', '--json', '--data-dir', dataDir]);
    expect(sites.json.map((x) => x.id)).toEqual(expect.arrayContaining(['county', 'prefecture', 'regional', 'aspnet']));
  }, 320_000);
});
