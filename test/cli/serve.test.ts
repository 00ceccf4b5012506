import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { load } from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { makeWebData, serve, type Served, type WebData } from '../helpers/web-data.js';

/**
 * `xjwatch serve` over a data directory the imitation county site made (new postings with
 * attachments and screenshots, an edit, a confirmed deletion, a hostile page), through real HTTP.
 */
let data: WebData;
let web: Served;
const get = (path: string, init: RequestInit = {}) => fetch(`${web.url}${path}`, { redirect: 'manual', ...init });
const html = async (path: string) => {
  const r = await get(path);
  expect(r.status, path).toBe(200);
  return load(await r.text());
};
const idOf = async (url: string) => ((await (await get(`/api/v1/pages?url=${encodeURIComponent(url)}`)).json()) as { id: number }).id;

beforeAll(async () => {
  data = await makeWebData();
  web = await serve(['--data-dir', data.dataDir]);
}, 300_000);
afterAll(async () => {
  await web?.stop();
  await data?.close();
});

describe('xjwatch serve', () => {
  it('serves every page with Chinese and English labels and security headers that keep it off the network', async () => {
    for (const path of ['/', '/timeline', '/search?q=%E5%8D%AB%E6%98%9F%E5%B7%A5%E5%8E%82', '/status', '/site/county']) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-security-policy'), path).toMatch(/default-src 'none'.*script-src 'self'/);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('cache-control')).toBe('no-store');
      const $ = load(await r.text());
      expect($('nav').text()).toContain('Timeline 时间线');
      // every script and stylesheet is the server's own
      $('script[src], link[href]').each((_, el) => expect($(el).attr('src') ?? $(el).attr('href')).toMatch(/^\/assets\//));
    }
    expect((await get('/assets/htmx.min.js')).headers.get('content-type')).toMatch(/javascript/);
  });

  it('the overview names each site with its health, and the deleted page with its reason', async () => {
    const $ = await html('/');
    expect($('table').first().text()).toContain('疏附县人民政府');
    expect($('#deleted').text()).toContain(data.deleted.title);
    expect($('#deleted').text()).toContain('http_404');
  });

  it('the timeline filters by kind, site, term, attachment and date, and pages on', async () => {
    const kinds = (path: string) => html(path).then(($) => $('#events .kind').map((_, el) => $(el).text()).get());
    expect(new Set(await kinds('/timeline?kind=deleted'))).toEqual(new Set(['deleted 已删除']));
    expect((await kinds('/timeline?kind=changed')).length).toBeGreaterThan(0);
    expect((await html('/timeline?site=nowhere'))('#events').length).toBe(0);
    const byTerm = await html(`/timeline?term=${encodeURIComponent('卫星工厂')}`);
    expect(byTerm('#events tbody tr').length).toBeGreaterThan(0);
    byTerm('#events tbody tr').each((_, tr) => expect(byTerm(tr).text()).toContain('卫星工厂'));
    const withFiles = await (await get('/api/v1/events?attachment=1')).json();
    expect(withFiles.events.length).toBeGreaterThan(0);
    for (const e of withFiles.events) expect(e.attachment ?? e.attachments?.length ?? e.attachments_added?.length).toBeTruthy();
    expect((await (await get('/api/v1/events?until=2000-01-01')).json()).events).toEqual([]);
    expect((await get('/timeline?since=yesterday')).status).toBe(400);
    // keyset pages: the second page starts below the first one's last id, nothing twice
    const all = (await (await get('/api/v1/events')).json()) as { events: { id: number }[]; next_before: number | null };
    if (all.next_before) {
      const next = (await (await get(`/api/v1/events?before=${all.next_before}`)).json()) as { events: { id: number }[] };
      expect(next.events[0]!.id).toBeLessThan(all.events[all.events.length - 1]!.id + 1);
    }
  });

  it('a posting shows its terms with glosses, attachments with their places, captures, checks and the verdict', async () => {
    const deletedId = await idOf(data.fx.sites.county.postingUrl(data.deleted));
    const $ = await html(`/page/${deletedId}`);
    expect($('h1').text()).toBe(data.deleted.title);
    // the verdict a bundle would state
    expect($('#verdict').text()).toMatch(/^gone-hard: deleted \(http_404\), confirmed on \d+ checks with healthy controls/);
    expect($.text()).toContain('Checks 检查记录');
    expect($('mark').length).toBeGreaterThan(0);
    expect($.text()).toMatch(/SHA-256 [0-9a-f]{64}/);
    expect($.text()).toContain('Asia/Shanghai');
    expect($('a[href^="/capture/"]').length).toBeGreaterThan(0);
  });

  it('the diff of the edited posting reads as Chinese words, inline and side by side, with both screenshots where kept', async () => {
    const id = await idOf(data.fx.sites.county.postingUrl(data.edited));
    const inline = await html(`/page/${id}/diff`);
    expect(inline('#diff ins').text()).toContain('增设卫星工厂两座');
    const side = await html(`/page/${id}/diff?view=side&all=1`);
    expect(side('.diff.after ins').text()).toContain('增设卫星工厂两座');
    expect(side('.diff.before').length).toBe(1);
    expect((await get(`/page/${id}/diff?from=9`)).status).toBe(400);
    const api = await (await get(`/api/v1/pages/${id}/diff`)).json();
    expect(api.changed).toBe(true);
    expect(api.parts.some((p: { type: string; text: string }) => p.type === 'added' && p.text.includes('卫星工厂'))).toBe(true);
  });

  it('a hostile posting renders inert: its title escaped everywhere, its replay stripped of everything that could run or fetch', async () => {
    const id = await idOf(data.fx.sites.county.postingUrl(data.hostile));
    const page = await (await get(`/page/${id}`)).text();
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('⟨U+202E⟩');
    const $ = load(page);
    const capture = $('a[href^="/capture/"]').first().attr('href')!;
    const frame = await html(capture);
    expect(frame('iframe').attr('sandbox')).toBe('');
    const raw = await get(`${capture}/raw`);
    expect(raw.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox$/);
    const body = await raw.text();
    const r = load(body);
    expect(r('script, iframe, object, base, meta[http-equiv]').length).toBe(0);
    // no attribute but data-xj-* still holds an address off this server
    r('*').each((_, el) => {
      for (const [name, value] of Object.entries((el as unknown as { attribs: Record<string, string> }).attribs)) {
        expect(name).not.toMatch(/^on/i);
        if (!name.startsWith('data-xj-')) expect(value, name).not.toMatch(/localhost:\d+/);
      }
    });
    expect(r('img[src^="/capture/"]').map((_, el) => decodeURIComponent(r(el).attr('src')!)).get(), body).toEqual([expect.stringMatching(/\/images\/logo\.png$/)]); // the logo, as recorded
    expect(r('#vsb_content').text()).toContain('新建卫星工厂一座');
    await new Promise((res) => setTimeout(res, 200));
    expect(data.canary.connections()).toBe(0);
  });

  it('serves a recorded requisite only for its capture, and pictures only from the catalogue', async () => {
    expect((await get('/capture/1/requisite?url=http://localhost:1/evil.css')).status).toBe(404);
    expect((await get(`/picture/${'0'.repeat(64)}.png`)).status).toBe(404);
    expect((await get('/picture/..%2F..%2Fxjwatch.db')).status).toBe(404);
  });

  it('refuses a request that names another host (DNS rebinding)', async () => {
    const r = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'Host: evil.example', `${web.url}/`], { encoding: 'utf8' });
    expect(r.stdout).toBe('421');
  });

  it('builds an evidence bundle from the view only with the form token, and shows its verification; sha256sum -c accepts the zip', async () => {
    const id = await idOf(data.fx.sites.county.postingUrl(data.deleted));
    const $ = await html(`/page/${id}`);
    const token = $('input[name=_csrf]').attr('value')!;
    const form = (t: string, origin?: string) => get(`/page/${id}/prove`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin ? { origin } : {}) }, body: `_csrf=${t}` });
    expect((await form('nope')).status).toBe(403);
    expect((await form(token, 'http://evil.example')).status).toBe(403);
    const made = await form(token, web.url);
    expect(made.status, await made.clone().text()).toBe(303);
    const where = made.headers.get('location')!;
    const b = await html(where);
    expect(b.text()).toContain('deleted');
    expect(b.text()).toContain('every file hashes as listed');
    expect(b('#cite').text()).toContain('Asia/Shanghai');
    const zip = await get(`${where}/download`);
    expect(zip.headers.get('content-disposition')).toMatch(/attachment; filename="page-\d+-\d{8}T\d{6}Z\.zip"/);
    const out = tempDir('xjwatch-web-zip-');
    writeFileSync(join(out, 'b.zip'), Buffer.from(await zip.arrayBuffer()));
    expect(spawnSync('unzip', ['-q', 'b.zip'], { cwd: out }).status).toBe(0);
    const name = where.split('/').pop()!;
    const sums = spawnSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: join(out, name), encoding: 'utf8' });
    expect(sums.status, sums.stdout + sums.stderr).toBe(0);
    // the button pressed twice in one second makes two bundles, not an error
    const again = await Promise.all([form(token, web.url), form(token, web.url)]);
    expect(again.map((r) => r.status)).toEqual([303, 303]);
    const listed = await (await get(`/api/v1/bundles?page=${id}`)).json();
    const names = listed.bundles.map((x: { name: string }) => x.name);
    expect(names).toContain(name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBe(3);
  });

  it('describes its API in an OpenAPI document that validates, and every route it lists answers', async () => {
    const doc = await (await get('/api/v1/openapi.json')).json();
    await SwaggerParser.validate(structuredClone(doc));
    const id = await idOf(data.fx.sites.county.postingUrl(data.edited));
    const name = ((await (await get('/api/v1/bundles')).json()).bundles[0] as { name: string }).name;
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/sites', '/api/v1/events', '/api/v1/pages/{id}', '/api/v1/pages/{id}/captures', '/api/v1/pages/{id}/diff', '/api/v1/search', '/api/v1/bundles', '/api/v1/bundles/{name}']));
    for (const p of paths) {
      if (!doc.paths[p].get) continue;
      const path = p.replace('{id}', String(id)).replace('{name}', name) + (p.endsWith('/search') ? '?q=%E5%8D%AB%E6%98%9F' : p === '/api/v1/pages' ? `?url=${encodeURIComponent(data.fx.sites.county.postingUrl(data.edited))}` : '');
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/application\/json/);
    }
    expect((await get('/api/v1/pages/999999')).status).toBe(404);
    expect((await get('/api/v1/nothing')).status).toBe(404);
  });
});

describe('xjwatch serve beyond loopback', () => {
  it('is refused without a token, naming why; with one, every request must give it', async () => {
    const refused = await runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', data.dataDir], { env: { XJWATCH_SERVE_TOKEN: '' } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing to serve on 0\.0\.0\.0: .*set XJWATCH_SERVE_TOKEN/);
    const short = await runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', data.dataDir], { env: { XJWATCH_SERVE_TOKEN: 'abc' } });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/needs 16 or more/);
    // bound to loopback with a token set: the token is asked all the same
    const token = 'k'.repeat(24);
    const guarded = await serve(['--data-dir', data.dataDir], { XJWATCH_SERVE_TOKEN: token });
    try {
      expect((await fetch(`${guarded.url}/`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/api/v1/sites`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await fetch(`${guarded.url}/api/v1/sites`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(`${guarded.url}/`, { headers: { authorization: `Basic ${Buffer.from(`me:${token}`).toString('base64')}` } })).status).toBe(200);
    } finally {
      await guarded.stop();
    }
  });
});
