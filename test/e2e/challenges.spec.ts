import { expect, test } from '@playwright/test';
import { startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';

// What the browser path relies on, seen in a real Chromium: the challenge pages compute their
// cookies and land on the content; the script-built list fills itself from its JSON endpoint.
let fx: RunningFixtures;
test.beforeAll(async () => {
  fx = await startFixtureSites({ challenges: true });
});
test.afterAll(async () => fx.close());

for (const key of ['ruishu', 'jiasule'] as const) {
  test(`the ${key} challenge clears in a browser and shows the list`, async ({ page }) => {
    const first = await page.goto(fx.sites[key]!.listUrl());
    expect([412, 521]).toContain(first!.status());
    await expect(page.locator('ul.list li').first()).toBeVisible({ timeout: 15_000 });
    await expect(page).toHaveTitle(/通知公告/);
  });
}

test('the wall never clears: it answers 412 again and again', async ({ page }) => {
  const statuses: number[] = [];
  page.on('response', (r) => {
    if (r.url() === fx.sites.wall!.listUrl()) statuses.push(r.status());
  });
  await page.goto(fx.sites.wall!.listUrl());
  await page.waitForTimeout(2000);
  expect(statuses.length).toBeGreaterThan(2);
  expect(new Set(statuses)).toEqual(new Set([412]));
});

test('the script-built list shows its postings and a 下一页 link', async ({ page }) => {
  await page.goto(fx.sites.jslist!.listUrl());
  await expect(page.locator('#list li')).toHaveCount(20);
  await expect(page.getByText('下一页')).toBeVisible();
});
