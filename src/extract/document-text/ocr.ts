import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Scanned pages read per file at most, and the time they may take (inside the reader's limit per file). */
export const OCR_LIMITS = { pages: 30, budgetMs: 45_000, pageMs: 30_000, langs: 'chi_sim+eng', dpi: 200 };

/** OCR_LIMITS.langs as a reader says it. */
export const OCR_LANGUAGES = 'Simplified Chinese and English';

export const OCR_FIX = "OCR needs Debian's tesseract-ocr, tesseract-ocr-chi-sim and poppler-utils (`npm run setup` installs them)";

let available: boolean | undefined;

/** Whether tesseract (with Simplified Chinese) and pdftoppm are installed. */
export function ocrAvailable(): boolean {
  if (available === undefined) {
    const langs = spawnSync('tesseract', ['--list-langs'], { encoding: 'utf8', timeout: 10_000 });
    const poppler = spawnSync('pdftoppm', ['-v'], { encoding: 'utf8', timeout: 10_000 });
    available = langs.status === 0 && /^chi_sim$/m.test(langs.stdout) && poppler.error === undefined;
  }
  return available;
}

/**
 * The text of PDF pages read from their images: each page rendered by poppler's pdftoppm, then
 * read by tesseract. Pages past the budget are left, and said so; a page that fails is named.
 */
export function ocrPages(pdf: Uint8Array, pages: number[]): { texts: Map<number, string>; notes: string[] } {
  const texts = new Map<number, string>();
  const notes: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'xjwatch-ocr-'));
  const deadline = Date.now() + OCR_LIMITS.budgetMs;
  try {
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    const todo = pages.slice(0, OCR_LIMITS.pages);
    for (const [i, n] of todo.entries()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        notes.push(`OCR stopped at its time limit: page(s) ${todo.slice(i).join(', ')} not read`);
        break;
      }
      const image = join(dir, `p${n}`);
      const render = spawnSync('pdftoppm', ['-r', String(OCR_LIMITS.dpi), '-gray', '-png', '-singlefile', '-f', String(n), '-l', String(n), file, image], { encoding: 'utf8', timeout: Math.min(left, OCR_LIMITS.pageMs) });
      if (render.status !== 0) {
        notes.push(`page ${n} could not be rendered for OCR: ${(render.stderr || render.error?.message || 'timed out').trim().slice(0, 200)}`);
        continue;
      }
      const read = spawnSync('tesseract', [`${image}.png`, '-', '-l', OCR_LIMITS.langs], { encoding: 'utf8', timeout: Math.max(1000, Math.min(deadline - Date.now(), OCR_LIMITS.pageMs)), maxBuffer: 16 << 20 });
      if (read.status !== 0) {
        notes.push(`page ${n} could not be read by OCR: ${(read.stderr || read.error?.message || 'timed out').trim().slice(0, 200)}`);
        continue;
      }
      texts.set(n, read.stdout.trim());
    }
    if (pages.length > todo.length) notes.push(`only the first ${todo.length} of ${pages.length} scanned pages were read by OCR`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { texts, notes };
}
