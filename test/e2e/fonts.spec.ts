import { expect, test } from '@playwright/test';

// Screenshots are evidence a reader must be able to read: without a CJK font Chromium draws
// every Chinese character as the same empty box ("tofu"), and two different words look alike.
test('Chinese renders with real glyphs, not tofu', async ({ page }) => {
  await page.setContent(`<html><head><meta charset="utf-8"></head><body style="font-size:48px">
    <span id="a">卫星工厂</span><br><span id="b">厂工星卫</span><br><span id="pua">\uE000\uE001\uE002\uE003</span></body></html>`);
  const a = await page.locator('#a').screenshot();
  const b = await page.locator('#b').screenshot();
  const pua = await page.locator('#pua').screenshot();
  expect(a.equals(b), 'two different Chinese words render identically: no CJK font (install fonts-noto-cjk)').toBe(false);
  expect(a.equals(pua)).toBe(false);
});
