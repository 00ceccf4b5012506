import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { decodeBody } from '../decode.js';
import type { DocumentKind } from './kind.js';

const require = createRequire(import.meta.url);
const MAX_PAGES = 500;
const MAX_CHARS = 5_000_000;

/** Text of a PDF's text layer, page by page (pdf.js; CJK fonts without ToUnicode use its CMaps). */
async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const root = dirname(require.resolve('pdfjs-dist/package.json'));
  const doc = await pdfjs.getDocument({
    data: bytes,
    cMapUrl: join(root, 'cmaps') + '/',
    cMapPacked: true,
    standardFontDataUrl: join(root, 'standard_fonts') + '/',
    isEvalSupported: false,
    useSystemFonts: false,
    verbosity: 0,
  }).promise;
  const pages: string[] = [];
  let chars = 0;
  for (let n = 1; n <= Math.min(doc.numPages, MAX_PAGES) && chars < MAX_CHARS; n++) {
    const page = await doc.getPage(n);
    const content = await page.getTextContent();
    const text = content.items.map((i) => ('str' in i ? i.str + (i.hasEOL ? '\n' : '') : '')).join('');
    pages.push(text);
    chars += text.length;
    page.cleanup();
  }
  await doc.destroy();
  return pages.join('\n\n');
}

async function wordText(bytes: Uint8Array): Promise<string> {
  const WordExtractor = (await import('word-extractor')).default;
  const doc = await new WordExtractor().extract(Buffer.from(bytes));
  return [doc.getBody(), doc.getFootnotes(), doc.getTextboxes({ includeHeadersAndFooters: false, includeBody: false })].filter((s) => s.trim()).join('\n');
}

/** Every sheet as rows of tab-separated cells, with the sheet name as a heading. */
async function sheetText(bytes: Uint8Array): Promise<string> {
  const XLSX = await import('@e965/xlsx');
  const wb = XLSX.read(bytes, { type: 'array', cellFormula: false, cellHTML: false, cellStyles: false, sheetRows: 100_000 });
  return wb.SheetNames.map((name) => `${name}\n${XLSX.utils.sheet_to_csv(wb.Sheets[name]!, { FS: '\t', blankrows: false })}`).join('\n\n');
}

export async function readDocument(kind: DocumentKind, bytes: Uint8Array): Promise<string> {
  switch (kind) {
    case 'pdf':
      return pdfText(bytes);
    case 'doc':
    case 'docx':
      return wordText(bytes);
    case 'xls':
    case 'xlsx':
      return sheetText(bytes);
    case 'ole':
      try {
        return await wordText(bytes);
      } catch {
        return sheetText(bytes);
      }
    case 'text':
      // plain-text attachments on these sites are as often GBK as UTF-8
      return decodeBody(Buffer.from(bytes), undefined).text;
    default:
      return '';
  }
}

export const LIMITS = { MAX_PAGES, MAX_CHARS };
