import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { decodeBody } from '../decode.js';
import { zipText } from './archive.js';
import type { DocumentKind } from './kind.js';
import { OCR_FIX, OCR_LANGUAGES, ocrAvailable, ocrPages } from './ocr.js';
import type { Segment } from './places.js';
import { rtfParagraphs } from './rtf.js';

const require = createRequire(import.meta.url);
const MAX_PAGES = 500;
const MAX_CHARS = 5_000_000;

/** A document's text and where each stretch of it came from. */
export interface ReadText {
  text: string;
  segments: Segment[];
  /** what a researcher should know of how the text was got (scanned pages, OCR) */
  notes?: string[];
}

/** Joins parts, each starting a segment (`place`), with `sep` between them. */
function joined(parts: { text: string; place: string }[], sep: string): ReadText {
  const segments: Segment[] = [];
  let at = 0;
  const texts: string[] = [];
  for (const p of parts) {
    if (texts.length) at += sep.length;
    segments.push({ at, place: p.place });
    texts.push(p.text);
    at += p.text.length;
  }
  return { text: texts.join(sep), segments };
}

/** A page that shows nothing searchable: no letter or digit in its text layer. */
const noText = (t: string) => !/[\p{L}\p{N}]/u.test(t);

/**
 * Text of a PDF's text layer, page by page (pdf.js; CJK fonts without ToUnicode use its CMaps).
 * A page without text that paints an image is a scan: read by OCR where tesseract is installed,
 * its text headed as OCR and its place "page=N (OCR)"; flagged either way.
 */
async function pdfText(bytes: Uint8Array): Promise<ReadText> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const root = dirname(require.resolve('pdfjs-dist/package.json'));
  // pdf.js takes over the buffer it is given: OCR renders from a copy
  const original = bytes.slice();
  const doc = await pdfjs.getDocument({
    data: bytes,
    cMapUrl: join(root, 'cmaps') + '/',
    cMapPacked: true,
    standardFontDataUrl: join(root, 'standard_fonts') + '/',
    isEvalSupported: false,
    useSystemFonts: false,
    verbosity: 0,
  }).promise;
  const pages: { text: string; place: string }[] = [];
  const scanned: number[] = [];
  let chars = 0;
  for (let n = 1; n <= Math.min(doc.numPages, MAX_PAGES) && chars < MAX_CHARS; n++) {
    const page = await doc.getPage(n);
    const content = await page.getTextContent();
    const text = content.items.map((i) => ('str' in i ? i.str + (i.hasEOL ? '\n' : '') : '')).join('');
    if (noText(text) && (await page.getOperatorList()).fnArray.some((op) => paintsImage(pdfjs.OPS, op))) scanned.push(n);
    pages.push({ text, place: `page=${n}` });
    chars += text.length;
    page.cleanup();
  }
  await doc.destroy();
  if (!scanned.length) return joined(pages, '\n\n');
  const which = `page${scanned.length > 1 ? 's' : ''} ${scanned.join(', ')}`;
  if (!ocrAvailable()) return { ...joined(pages, '\n\n'), notes: [`${which} of the PDF ${scanned.length > 1 ? 'are images' : 'is an image'} with no text layer (a scan) and ${scanned.length > 1 ? 'were' : 'was'} not read: ${OCR_FIX}`] };
  const ocr = ocrPages(original, scanned);
  for (const [n, text] of ocr.texts) pages[n - 1] = { text: `[page ${n}: read by OCR from the page image]\n${text}`, place: `page=${n} (OCR)` };
  return { ...joined(pages, '\n\n'), notes: [`${which} of the PDF ${scanned.length > 1 ? 'are images' : 'is an image'} with no text layer (a scan): read by OCR (tesseract, ${OCR_LANGUAGES})`, ...ocr.notes] };
}

/** Whether a pdf.js operator paints a picture (an image, inline or masked). */
const paintsImage = (ops: Record<string, number>, op: number) =>
  [ops.paintImageXObject, ops.paintInlineImageXObject, ops.paintImageMaskXObject, ops.paintImageXObjectRepeat, ops.paintImageMaskXObjectRepeat, ops.paintInlineImageXObjectGroup, ops.paintImageMaskXObjectGroup].includes(op);

/** The body paragraph by paragraph (numbered as a reader counts them: the non-empty ones), then footnotes and text boxes. */
async function wordText(bytes: Uint8Array): Promise<ReadText> {
  const WordExtractor = (await import('word-extractor')).default;
  const doc = await new WordExtractor().extract(Buffer.from(bytes));
  const parts: { text: string; place: string }[] = [];
  let n = 0;
  for (const para of doc.getBody().split('\n')) if (para.trim()) parts.push({ text: para, place: `paragraph=${++n}` });
  const footnotes = doc.getFootnotes();
  if (footnotes.trim()) parts.push({ text: footnotes, place: 'footnotes' });
  const boxes = doc.getTextboxes({ includeHeadersAndFooters: false, includeBody: false });
  if (boxes.trim()) parts.push({ text: boxes, place: 'text-boxes' });
  return joined(parts, '\n');
}

/**
 * Every sheet as rows of tab-separated cells (as displayed: dates and numbers formatted), with the
 * sheet's name as a heading; a row per line, so that a hit's cell is its row's segment and the
 * tabs before it. Tabs and line ends inside a cell become spaces.
 */
async function sheetText(bytes: Uint8Array): Promise<ReadText> {
  const XLSX = await import('@e965/xlsx');
  const wb = XLSX.read(bytes, { type: 'array', cellFormula: false, cellHTML: false, cellStyles: false, sheetRows: 100_000 });
  const lines: string[] = [];
  const segments: Segment[] = [];
  let at = 0;
  const push = (line: string) => {
    lines.push(line);
    at += line.length + 1;
  };
  for (const name of wb.SheetNames) {
    const ws = wb.Sheets[name]!;
    if (lines.length) push('');
    segments.push({ at, place: `${name}` });
    push(name);
    if (!ws['!ref']) continue;
    const range = XLSX.utils.decode_range(ws['!ref']);
    for (let r = range.s.r; r <= range.e.r; r++) {
      const cells: string[] = [];
      for (let c = range.s.c; c <= range.e.c; c++) {
        const cell = ws[XLSX.utils.encode_cell({ r, c })];
        cells.push(cell ? XLSX.utils.format_cell(cell).replace(/[\t\r\n]+/g, ' ') : '');
      }
      while (cells.length && !cells[cells.length - 1]!.trim()) cells.pop();
      if (!cells.length) continue;
      segments.push({ at, sheet: name, row: r + 1, col: range.s.c });
      push(cells.join('\t'));
    }
  }
  return { text: lines.join('\n'), segments };
}

/** `depth`: how deep in archives the file is (1: attached as it is). */
export async function readDocument(kind: DocumentKind, bytes: Uint8Array, depth = 1): Promise<ReadText> {
  switch (kind) {
    case 'zip':
      return zipText(bytes, depth, readDocument);
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
    case 'rtf':
      return joined(rtfParagraphs(bytes), '\n');
    case 'text':
      // plain-text attachments on these sites are as often GBK as UTF-8
      return { text: decodeBody(Buffer.from(bytes), undefined).text, segments: [{ at: 0, line: 1 }] };
    default:
      return { text: '', segments: [] };
  }
}

export const LIMITS = { MAX_PAGES, MAX_CHARS };
