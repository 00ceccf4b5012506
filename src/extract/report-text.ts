import { decodeBody } from './decode.js';
import type { DocumentTextExtractor } from './document-text/extractor.js';
import { documentKind } from './document-text/kind.js';
import { reportHtmlText } from './report-html.js';

export type ReportKind = 'pdf' | 'html' | 'text' | 'url-list';

/** A report's text, or why it has none a reader could find URLs in. */
export type ReportText = { kind: ReportKind; text: string } | { problem: string };

/**
 * The text of a research report, from its bytes: a PDF's text layer (read by the attachment
 * reader, in its worker), an HTML page's text with its links' addresses, or plain text (UTF-8,
 * UTF-16 with a byte-order mark, or GB18030) — a plain list of URLs, one a line with `#`
 * comments, told apart from running text. An empty file, a PDF without text, a Word or Excel
 * file, and binary data are refused with the reason.
 */
export async function reportText(bytes: Buffer, name: string, documents: DocumentTextExtractor): Promise<ReportText> {
  if (bytes.length === 0) return { problem: 'is empty' };
  const kind = documentKind(bytes, name);
  if (kind === 'pdf') {
    const doc = await documents.extract(bytes, name);
    if (doc.problem) return { problem: `is a PDF that cannot be read (${doc.problem})` };
    if (!doc.text.trim()) return { problem: 'is a PDF without a text layer (a scan?): there is no text to find URLs in; run it through OCR first (e.g. `ocrmypdf in.pdf out.pdf`) and import the result' };
    return { kind: 'pdf', text: doc.text };
  }
  if (kind !== 'text' && kind !== 'unknown') return { problem: `is a ${kind.toUpperCase()} file, which import does not read: save the report as PDF, HTML or text and import that` };
  const text = decodeText(bytes);
  if (text === undefined) return { problem: 'is binary data, not a text, HTML or PDF report' };
  if (!text.trim()) return { problem: 'holds only white space' };
  if (/^\s*(?:<!doctype\s+html|<html|<head|<body|<\?xml[^>]*>\s*<html)/i.test(text.slice(0, 2048)) || (/\.x?html?$/i.test(name) && /<[a-z!]/i.test(text))) {
    return { kind: 'html', text: reportHtmlText(text) };
  }
  return { kind: isUrlList(text) ? 'url-list' : 'text', text };
}

/** Text, or undefined for bytes no text file holds (NUL and other control bytes). */
function decodeText(bytes: Buffer): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const head = bytes.subarray(0, 64 * 1024);
  let control = 0;
  for (const b of head) {
    if (b === 0) return undefined;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) control++;
  }
  if (control > head.length / 200) return undefined;
  const text = decodeBody(bytes, 'text/plain').text;
  const replaced = (text.slice(0, 64 * 1024).match(/\uFFFD/g) ?? []).length;
  return replaced > Math.min(text.length, 64 * 1024) / 100 ? undefined : text;
}

/** Every line that is not blank or a `#` comment is one URL (a comment may follow it). */
function isUrlList(text: string): boolean {
  const lines = text.split(/\r\n|\r|\n/).filter((l) => l.trim() && !l.trim().startsWith('#'));
  return lines.length > 0 && lines.every((l) => /^\s*(?:https?:\/\/|www\.)\S+\s*(?:#.*)?$/i.test(l));
}
