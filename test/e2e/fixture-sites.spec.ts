import { expect, test } from '@playwright/test';
import { startFixtureSites, type RunningFixtures } from '../../src/demo/sites/server.js';

// The fixture sites must look to a real browser as the government sites they imitate do: GBK
// pages declared only in <meta> read as Chinese, the TRS pager script draws its links, and the
// GB18030-only Uyghur text survives.
let fx: RunningFixtures;
test.beforeAll(async () => {
  fx = await startFixtureSites();
});
test.afterAll(async () => fx.close());

test('the VSB county list page (GB2312 in <meta> only) renders its Chinese titles', async ({ page }) => {
  await page.goto(fx.sites.county.listUrl());
  await expect(page).toHaveTitle('通知公告-疏附县人民政府');
  await expect(page.getByText(fx.sites.county.postings[0]!.title).first()).toBeVisible();
  await page.getByText('下一页').click();
  await expect(page).toHaveURL(/\/xxgk\/tzgg\/index\/\d+\.htm$/);
});

test('the TRS prefecture list page gets its pager from createPageHTML when the site defines it', async ({ page }) => {
  await page.addInitScript(() => {
    // TRS sites ship createPageHTML in a shared script; the fixture page only calls it
    (window as unknown as { createPageHTML: (n: number, c: number, p: string, e: string) => void }).createPageHTML = (n, c, p, e) => {
      for (let i = 0; i < n; i++) if (i !== c) document.write(`<a href="${i === 0 ? `${p}.${e}` : `${p}_${i}.${e}`}">${i + 1}</a> `);
    };
  });
  await page.goto(fx.sites.prefecture.listUrl());
  await expect(page.locator('a[href="index_1.html"]')).toHaveCount(1);
});

test('the ASP.NET page (GB18030) shows the Uyghur name intact', async ({ page }) => {
  await page.goto(fx.sites.aspnet.postingUrl(fx.sites.aspnet.postings[3]!));
  await expect(page.getByText('قەشقەر شەھىرى')).toBeVisible();
});
