import { expect, test, type Page } from '@playwright/test';
import { startReplayWeb } from '../helpers/replayweb.js';
import { makeWebData, serve, type Served, type WebData } from '../helpers/web-data.js';

// The web view in the system Chromium, as a researcher uses it, over a data directory the
// imitation county site made: Chinese that reads, filters and diffs that work, a replay and a
// hostile posting that reach nothing and run nothing.
let data: WebData;
let web: Served;
test.beforeAll(async () => {
  test.setTimeout(300_000);
  data = await makeWebData();
  web = await serve(['--data-dir', data.dataDir]);
});
test.afterAll(async () => {
  await web?.stop();
  await data?.close();
});

/** Every request the page makes, and every dialog a script would open. */
function watch(page: Page) {
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { outside: () => requests.filter((u) => !u.startsWith(`${web.url}/`) && !u.startsWith('data:') && u !== 'about:blank'), dialogs };
}

const idOf = async (url: string) => ((await (await fetch(`${web.url}/api/v1/pages?url=${encodeURIComponent(url)}`)).json()) as { id: number }).id;

test('every main page shows its Chinese in real glyphs, not tofu', async ({ page }) => {
  const w = watch(page);
  for (const path of ['/', '/timeline', '/search?q=卫星工厂', '/status', '/site/county']) {
    await page.goto(`${web.url}${path}`);
    await expect(page.locator('nav')).toContainText('时间线');
  }
  await page.goto(`${web.url}/`);
  // two different words drawn alike would mean no CJK font: the labels 概览 and 状态 must differ
  const a = await page.getByRole('link', { name: 'Overview 概览' }).screenshot();
  await page.evaluate(() => {
    const link = [...document.querySelectorAll('nav a')][0]!;
    link.textContent = 'Overview 状态';
  });
  const b = await page.getByRole('link', { name: 'Overview 状态' }).screenshot();
  expect(a.equals(b), 'two different Chinese words render identically: no CJK font (install fonts-noto-cjk)').toBe(false);
  expect(w.outside()).toEqual([]);
});

test('the timeline filters by kind from its form, and each row says what happened', async ({ page }) => {
  await page.goto(`${web.url}/timeline`);
  await page.locator('select[name=kind]').selectOption('deleted');
  // htmx swaps the results in place and puts the filters in the address, as a reload would
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  await page.getByRole('button', { name: 'filter 筛选' }).click();
  await expect(page).toHaveURL(/kind=deleted/);
  await expect(page.locator('#events .kind').first()).toHaveText('deleted 已删除');
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  const kinds = await page.locator('#events .kind').allTextContents();
  expect(kinds.length).toBeGreaterThan(0);
  expect(new Set(kinds)).toEqual(new Set(['deleted 已删除']));
  await expect(page.locator('#events')).toContainText('confirmed on 2 checks');
  await page.getByRole('link', { name: data.deleted.title }).first().click();
  await expect(page.locator('h1')).toHaveText(data.deleted.title);
});

test('the edit reads as a Chinese word diff, inline and side by side', async ({ page }) => {
  const id = await idOf(data.fx.sites.county.postingUrl(data.edited));
  await page.goto(`${web.url}/page/${id}/diff`);
  await expect(page.locator('#diff ins')).toContainText('增设卫星工厂两座');
  await page.locator('select[name=view]').selectOption('side');
  await page.getByRole('button', { name: 'show 显示' }).click();
  await expect(page.locator('.diff.after ins')).toBeVisible();
  await expect(page.locator('.diff.before ins')).toBeHidden();
});

test('a replayed capture and a hostile posting run nothing and reach nothing outside the server', async ({ page }) => {
  const w = watch(page);
  const id = await idOf(data.fx.sites.county.postingUrl(data.hostile));
  await page.goto(`${web.url}/page/${id}`);
  // the page's own words, shown as text: its snippet carries the script tag it tried
  await expect(page.locator('main')).toContainText('<script>alert(1)</script>卫星工厂');
  await page.getByRole('link', { name: 'replay 回放' }).first().click();
  const frame = page.frameLocator('iframe.replay');
  await expect(frame.locator('#vsb_content')).toContainText('新建卫星工厂一座');
  await page.waitForTimeout(500);
  expect(await page.title()).not.toBe('owned');
  expect(w.dialogs).toEqual([]);
  expect(w.outside()).toEqual([]);
  expect(data.canary.connections()).toBe(0);
});

test('a bundle built from the view opens in replayweb.page, showing the page as captured', async ({ page }) => {
  const url = data.fx.sites.county.postingUrl(data.edited);
  const id = await idOf(url);
  const made = await fetch(`${web.url}/api/v1/pages/${id}/bundle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(made.status).toBe(200);
  const { name } = (await made.json()) as { name: string };
  const bundle = await fetch(`${web.url}/api/v1/bundles/${name}`).then((r) => r.json());
  expect(bundle.verification.problems).toEqual([]);
  const wacz = Buffer.from(await (await fetch(`${web.url}/bundle/${name}/wacz`)).arrayBuffer());
  const player = await startReplayWeb(wacz, url);
  try {
    await page.goto(player.url);
    // the player draws the capture in a frame of its own, served by its service worker from the WACZ
    await expect.poll(async () => {
      const frame = page.frames().find((f) => f.url().includes('mp_/'));
      return frame ? await frame.evaluate(() => document.body?.innerText ?? '') : '';
    }, { timeout: 30_000 }).toContain('增设卫星工厂两座');
  } finally {
    await player.close();
  }
});
