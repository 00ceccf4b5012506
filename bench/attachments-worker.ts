import { readFileSync } from 'node:fs';

/**
 * One side of bench/attachments, in its own process so that its peak RSS is its own:
 *   xjwatch <kind> <file> : xjwatch's reader (readers.ts: text, segments, OCR of scanned pages)
 *   library <kind> <file> : the parser alone, as its documentation shows it (the baseline)
 * Prints {seconds, chars, pages, maxRssBytes}.
 */
const [mode, kind, file] = process.argv.slice(2) as [string, 'pdf' | 'xls' | 'xlsx' | 'rtf', string];
const bytes = new Uint8Array(readFileSync(file));
const t0 = performance.now();
let chars = 0;
let pages = 0;
if (mode === 'xjwatch') {
  const { readDocument } = await import('../src/extract/document-text/readers.js');
  const r = await readDocument(kind, bytes);
  chars = r.text.length;
  pages = r.segments.filter((s) => 'place' in s && s.place.startsWith('page=')).length;
} else if (kind === 'pdf') {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: bytes, isEvalSupported: false, verbosity: 0 }).promise;
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    chars += content.items.map((i) => ('str' in i ? i.str : '')).join('').length;
  }
  pages = doc.numPages;
  await doc.destroy();
} else if (kind === 'rtf') {
  // the package's own plain-text reader, as deEncapsulateSync drives its streams
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const { Tokenize } = require('rtf-stream-parser');
  const { ToPlainText } = require('rtf-stream-parser/dist/src/ToPlainText.js');
  const iconv = (await import('iconv-lite')).default;
  const out: string[] = [];
  const reader = new ToPlainText({ decode: (b: Buffer, e: string) => iconv.decode(b, e), warn: () => undefined });
  reader.push = (p: unknown) => (out.push(String(p)), true);
  const tokens = new Tokenize();
  tokens.push = (t: unknown) => (reader._transform(t, '', () => undefined), true);
  tokens._transform(Buffer.from(bytes), undefined, () => undefined);
  tokens._flush(() => undefined);
  reader._flush(() => undefined);
  chars = out.join('').length;
} else {
  const XLSX = await import('@e965/xlsx');
  const wb = XLSX.read(bytes, { type: 'array' });
  for (const name of wb.SheetNames) chars += XLSX.utils.sheet_to_csv(wb.Sheets[name]!).length;
}
const seconds = (performance.now() - t0) / 1000;
// VmHWM, not getrusage's maxrss: Linux carries the parent's maxrss over fork and exec
const hwm = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
process.stdout.write(JSON.stringify({ seconds, chars, pages, maxRssBytes: hwm }) + '\n');
