import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { DIST, mb, median, runChild } from './harness.js';

const ROUNDS = 3;
const ROWS = 20_000;
const PDF_PAGES = 200;
const SCANNED_PAGES = 4;

/**
 * bench/attachments: text extraction per format on generated files of the sizes county sites
 * post — a .xls roster of 20,000 rows (and the same as .xlsx, and as an RTF table as Word saves it
 * in China), a 200-page text PDF, a scanned PDF of 4 pages read by OCR — each read by xjwatch's reader (text, places, OCR) and, as the baseline
 * in the same run, by its parser alone. MB/s, pages or rows per second, peak RSS (each read in a
 * fresh process), medians of 3 rounds.
 */
export async function benchAttachments(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'xjwatch-bench-att-'));
  try {
    const files = await makeFiles(dir);
    const worker = join(DIST, 'bench/attachments-worker.js');
    const figures: Record<string, number> = {};
    console.log(`attachments: text extraction, median of ${ROUNDS} (each read in a fresh process; xjwatch's reader against the parser alone)`);
    for (const f of files) {
      const ours: Record<string, number>[] = [];
      const base: Record<string, number>[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        ours.push((await runChild(worker, ['xjwatch', f.kind, f.path])) as Record<string, number>);
        if (f.baseline) base.push((await runChild(worker, ['library', f.kind, f.path])) as Record<string, number>);
      }
      const s = median(ours.map((x) => x.seconds!));
      const size = statSync(f.path).size;
      const units = f.units(ours[0]!);
      const r2 = (x: number) => Math.round(x * 100) / 100;
      figures[`${f.key}_mb`] = r2(size / 1024 / 1024);
      figures[`${f.key}_s`] = r2(s);
      figures[`${f.key}_mb_per_s`] = r2(size / 1024 / 1024 / s);
      figures[`${f.key}_${f.unit}_per_s`] = units / s >= 100 ? Math.round(units / s) : r2(units / s);
      figures[`${f.key}_peak_rss_mb`] = mb(Math.max(...ours.map((x) => x.maxRssBytes!)));
      let line = `  ${f.label}: ${mb(size)} MB, ${units} ${f.unit}, ${r2(s)} s → ${figures[`${f.key}_mb_per_s`]} MB/s, ${figures[`${f.key}_${f.unit}_per_s`]} ${f.unit}/s, peak RSS ${figures[`${f.key}_peak_rss_mb`]} MB`;
      if (base.length) {
        const b = median(base.map((x) => x.seconds!));
        figures[`${f.key}_vs_parser`] = r2(s / b);
        line += `; the parser alone ${r2(b)} s (${mb(Math.max(...base.map((x) => x.maxRssBytes!)))} MB) → ${figures[`${f.key}_vs_parser`]}× its time`;
      }
      console.log(line);
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface BenchFile {
  key: string;
  label: string;
  kind: 'pdf' | 'xls' | 'xlsx' | 'rtf';
  path: string;
  unit: string;
  units: (r: Record<string, number>) => number;
  baseline: boolean;
}

/** A roster as county sites post them (name, ID number, township, village, employer, destination, remark), and the PDFs. */
async function makeFiles(dir: string): Promise<BenchFile[]> {
  const XLSX = await import('@e965/xlsx');
  const towns = ['托克扎克镇', '塔什米里克乡', '萨依巴格乡', '布拉克苏乡', '英吾斯坦乡'];
  const where = ['卫星工厂', '扶贫车间', '转移就业', '内地务工', '县职业技能教育培训中心'];
  const rows: (string | number)[][] = [['序号', '姓名', '身份证号', '乡镇', '村', '就业单位', '去向', '备注', '联系电话', '登记日期']];
  for (let i = 1; i <= ROWS; i++) {
    rows.push([i, `阿卜杜热合曼·买买提${i}`, `65312119${String(800000 + i).padStart(10, '0')}`, towns[i % 5]!, `第${(i % 17) + 1}村`, `喀什${towns[(i + 2) % 5]}服装加工有限公司`, where[i % 5]!, i % 7 ? '教转人员' : '', `139${String(i).padStart(8, '0')}`, `2019-0${(i % 9) + 1}-1${i % 10}`]);
  }
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), '花名册');
  const xls = join(dir, 'roster.xls');
  const xlsx = join(dir, 'roster.xlsx');
  writeFileSync(xls, XLSX.write(wb, { bookType: 'biff8', type: 'buffer' }) as Buffer);
  writeFileSync(xlsx, XLSX.write(wb, { bookType: 'xlsx', type: 'buffer' }) as Buffer);
  const rtf = join(dir, 'roster.rtf');
  writeFileSync(rtf, wordRtf(rows));
  const pdf = join(dir, 'report.pdf');
  const scanned = join(dir, 'scanned.pdf');
  await printPdfs(pdf, scanned);
  const rowsOf = () => ROWS + 1;
  return [
    { key: 'xls', label: `.xls roster of ${ROWS} rows`, kind: 'xls', path: xls, unit: 'rows', units: rowsOf, baseline: true },
    { key: 'xlsx', label: `.xlsx roster of ${ROWS} rows`, kind: 'xlsx', path: xlsx, unit: 'rows', units: rowsOf, baseline: true },
    { key: 'rtf', label: `.rtf table of ${ROWS} rows (GBK)`, kind: 'rtf', path: rtf, unit: 'rows', units: rowsOf, baseline: true },
    { key: 'pdf', label: `text PDF of ${PDF_PAGES} pages`, kind: 'pdf', path: pdf, unit: 'pages', units: (r) => r.pages!, baseline: true },
    { key: 'ocr', label: `scanned PDF of ${SCANNED_PAGES} pages (OCR)`, kind: 'pdf', path: scanned, unit: 'pages', units: (r) => r.pages!, baseline: false },
  ];
}

/** Rows as a table in an RTF file as Chinese Word writes it: code page 936, GBK bytes as \'hh in a charset-134 font. */
function wordRtf(rows: (string | number)[][]): Buffer {
  const gbkEscaped = (s: string) =>
    [...iconv.encode(s, 'gbk')].map((b) => (b >= 0x80 ? `\\'${b.toString(16).padStart(2, '0')}` : b === 0x5c || b === 0x7b || b === 0x7d ? `\\${String.fromCharCode(b)}` : String.fromCharCode(b))).join('');
  const head = String.raw`{\rtf1\ansi\ansicpg936\deff0{\fonttbl{\f0\froman\fcharset0 Times New Roman;}{\f13\fnil\fcharset134 \'cb\'ce\'cc\'e5;}}`;
  const cellx = rows[0]!.map((_, i) => `\\cellx${(i + 1) * 1000}`).join('');
  const body = rows.map((r) => `\\trowd${cellx}\\pard\\intbl${r.map((c) => `{\\dbch\\f13 ${gbkEscaped(String(c))}}\\cell`).join('')}\\row\n`).join('');
  return Buffer.from(`${head}\n${body}}`, 'latin1');
}

/** The text PDF printed by Chromium from a long notice; the scanned one from page images of the bundled scan. */
async function printPdfs(pdf: string, scanned: string): Promise<void> {
  const { launchChromium } = await import('../src/fetch/chromium.js');
  const { browser } = await launchChromium();
  try {
    const page = await browser.newPage();
    const para = '根据县职业技能教育培训中心工作安排，对本批次结业的教转人员，由县人力资源和社会保障局负责落实转移就业。各乡镇要做好卫星工厂用工对接，实行统一输送、统一管理。';
    const body = Array.from({ length: PDF_PAGES }, (_, i) => `<section style="page-break-after:always"><h2>第${i + 1}部分</h2>${`<p>${para}</p>`.repeat(9)}</section>`).join('');
    await page.setContent(`<html><head><meta charset="utf-8"><style>body{font-family:"Noto Serif CJK SC";font-size:12pt}</style></head><body>${body}</body></html>`);
    writeFileSync(pdf, await page.pdf({ format: 'A4' }));
    const { scannedPdfBytes } = await import('../src/demo/sites/site.js');
    const scan = scannedPdfBytes();
    // the bundled scan's page image, SCANNED_PAGES times (pdftoppm renders it back to a PNG)
    const { spawnSync } = await import('node:child_process');
    const tmp = join(tmpdir(), `xjwatch-scan-${process.pid}`);
    writeFileSync(`${tmp}.pdf`, scan);
    spawnSync('pdftoppm', ['-r', '150', '-png', '-singlefile', `${tmp}.pdf`, tmp]);
    const png = readFileSync(`${tmp}.png`).toString('base64');
    rmSync(`${tmp}.pdf`, { force: true });
    rmSync(`${tmp}.png`, { force: true });
    await page.setContent(`<html><body style="margin:0">${`<img style="width:210mm;height:297mm;display:block;page-break-after:always" src="data:image/png;base64,${png}">`.repeat(SCANNED_PAGES)}</body></html>`);
    writeFileSync(scanned, await page.pdf({ format: 'A4', margin: { top: 0, right: 0, bottom: 0, left: 0 } }));
  } finally {
    await browser.close();
  }
}
