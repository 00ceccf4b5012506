// Makes attachment-scanned.pdf, the fixture sites' "scanned" notice (committed; run by hand only:
// `node src/demo/sites/files/make-scanned.mjs`). A county's scanned PDF is a page image and no
// text layer: here Chinese text is rendered to a picture in Chromium (Noto CJK), slightly rotated
// and speckled as a scanner leaves it, and that picture alone is printed to a PDF page.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const browser = await chromium.launch({ executablePath: process.env.XJWATCH_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1240, height: 1754 } });
  const specks = Array.from({ length: 400 }, (_, i) => `<i style="left:${(i * 7919) % 1240}px;top:${(i * 104729) % 1754}px"></i>`).join('');
  await page.setContent(`<html><head><meta charset="utf-8"><style>
    body{margin:0;background:#f4f1ea;font-family:"Noto Serif CJK SC";color:#222}
    main{transform:rotate(0.6deg);padding:140px 130px;font-size:34px;line-height:1.9}
    h1{text-align:center;font-size:46px} i{position:absolute;width:2px;height:2px;background:#777}
  </style></head><body>${specks}<main>
    <h1>关于转移就业人员安置情况的报告</h1>
    <p>各乡（镇）人民政府：</p>
    <p>本季度全县共组织转移就业人员一千二百人，其中卫星工厂吸纳三百人，扶贫车间吸纳二百人。</p>
    <p>请各乡镇做好教转人员的统一管理工作。</p>
    <p style="text-align:right">疏附县人民政府办公室<br>2019年4月2日</p>
  </main></body></html>`);
  const png = await page.screenshot({ type: 'png', fullPage: false });
  await page.setContent(`<html><body style="margin:0"><img style="width:210mm;height:297mm;display:block" src="data:image/png;base64,${png.toString('base64')}"></body></html>`);
  const pdf = await page.pdf({ format: 'A4', margin: { top: 0, right: 0, bottom: 0, left: 0 }, printBackground: true });
  writeFileSync(join(here, 'attachment-scanned.pdf'), pdf);
  console.log(`attachment-scanned.pdf: ${pdf.length} bytes`);
} finally {
  await browser.close();
}
