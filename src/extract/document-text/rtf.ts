import { createRequire } from 'node:module';
import iconv from 'iconv-lite';
import type { Token } from 'rtf-stream-parser/dist/src/tokenize.js';

const require = createRequire(import.meta.url);

/**
 * Destinations that hold no text of the document: its properties, pictures and embedded objects
 * (as hex), revision and list tables. rtf-stream-parser leaves only the font, colour and style
 * tables out of its plain text.
 */
const NOT_TEXT = ['info', 'pict', 'object', 'objdata', 'themedata', 'colorschememapping', 'datastore', 'latentstyles', 'listtable', 'listoverridetable', 'revtbl', 'rsidtbl', 'xmlnstbl', 'generator', 'fldinst', 'bkmkstart', 'bkmkend', 'filetbl'];

interface State {
  _state: { allDestinations?: Record<string, boolean> };
  _pushOutput(data: string | Buffer): void;
}

/**
 * The text of an RTF document (as Word and WPS save them: ANSI code page 936, GBK bytes as \'hh,
 * \uN with fallbacks), by rtf-stream-parser's token processor, which decodes each run by its
 * font's code page and skips Unicode fallbacks. Table cells are separated by tabs, a row to a line;
 * a paragraph is a non-empty line, numbered as in a Word file.
 */
export function rtfParagraphs(bytes: Uint8Array): { text: string; place: string }[] {
  // ToPlainText is the package's own general reader, not (yet) exported from its index
  const { Tokenize } = require('rtf-stream-parser') as typeof import('rtf-stream-parser');
  const { ToPlainText } = require('rtf-stream-parser/dist/src/ToPlainText.js') as typeof import('rtf-stream-parser/dist/src/ToPlainText.js');
  const head = Buffer.from(bytes.subarray(0, 5)).toString('latin1');
  if (head !== '{\\rtf') throw new Error(`not an RTF file (it begins ${JSON.stringify(head)})`);
  // A font declared ANSI (charset 0, read as cp1252) in a document of a Chinese code page holds
  // that code page's bytes: Chinese editors write GBK so, and no county document holds Latin-1.
  const cpg = /\\ansicpg(\d+)/.exec(Buffer.from(bytes.subarray(0, 512)).toString('latin1'))?.[1];
  const dbcs = cpg && ['936', '950', '932', '949'].includes(cpg) ? `cp${cpg}` : undefined;
  const decode = (buf: Buffer, enc: string) => iconv.decode(buf, dbcs && (enc === 'cp1252' || enc === 'cp0') ? dbcs : iconv.encodingExists(enc) ? enc : 'cp1252');
  const reader = new ToPlainText({ decode, warn: () => undefined, allowCp0: true });
  reader._featureHandlers.push({
    controlHandlers: {
      cell: (g) => (g as unknown as State)._pushOutput('\t'),
      nestcell: (g) => (g as unknown as State)._pushOutput('\t'),
      row: (g) => (g as unknown as State)._pushOutput('\n'),
      sect: (g) => (g as unknown as State)._pushOutput('\n'),
      page: (g) => (g as unknown as State)._pushOutput('\n'),
    },
  });
  // before the package's own filters: a destination of NOT_TEXT swallows its output
  reader._featureHandlers.unshift({ outputDataFilter: (g) => (NOT_TEXT.some((d) => (g as unknown as State)._state.allDestinations?.[d]) ? true : undefined) });
  const chunks: string[] = [];
  const fail = (err: unknown) => {
    if (err) throw err;
  };
  reader.push = (piece: unknown) => (chunks.push(String(piece)), true);
  const tokens = new Tokenize();
  tokens.push = (token: unknown) => (reader._transform(token as Token, '', fail), true);
  tokens._transform(Buffer.from(bytes), undefined, fail);
  tokens._flush(() => undefined);
  reader._flush(fail);
  const parts: { text: string; place: string }[] = [];
  let n = 0;
  for (const line of chunks.join('').split(/\r\n|\r|\n/)) {
    const text = line.replace(/\t+$/, '');
    if (text.trim()) parts.push({ text, place: `paragraph=${++n}` });
  }
  return parts;
}
