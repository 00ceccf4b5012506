import iconv from 'iconv-lite';

export type CharsetSource = 'site' | 'header' | 'bom' | 'meta' | 'sniff';

export interface Decoded {
  text: string;
  /** WHATWG name of the charset used */
  charset: string;
  source: CharsetSource;
  /** set when a declaration was wrong or unknown: what was declared and what was used instead */
  note?: string;
}

/**
 * WHATWG label -> decoder, for the encodings Chinese government pages use. The whole GB family
 * decodes as GB18030, its superset; UTF-16 declared in <meta> means UTF-8 (WHATWG); anything else
 * (iconv also knows "hex", "base64" …) is not a page encoding and is ignored.
 */
function canonical(label: string, source: CharsetSource): string | undefined {
  const l = label.trim().toLowerCase().replace(/^["']|["']$/g, '');
  if (['utf-8', 'utf8', 'unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'x-unicode20utf8'].includes(l)) return 'utf-8';
  if (['gb2312', 'gbk', 'x-gbk', 'gb_2312', 'gb_2312-80', 'chinese', 'csgb2312', 'iso-ir-58', 'cp936', 'ms936', 'windows-936', 'gb18030', 'euc-cn'].includes(l)) return 'gb18030';
  if (['big5', 'big5-hkscs', 'cn-big5', 'csbig5', 'x-x-big5', 'cp950'].includes(l)) return 'big5';
  if (['utf-16le', 'utf-16', 'utf-16be', 'unicode', 'ucs-2'].includes(l)) return source === 'meta' ? 'utf-8' : l === 'utf-16be' ? 'utf-16be' : 'utf-16le';
  if (['iso-8859-1', 'latin1', 'l1', 'us-ascii', 'ascii', 'windows-1252', 'cp1252', 'iso8859-1', 'iso_8859-1', 'cp819'].includes(l)) return 'windows-1252';
  if (['shift_jis', 'sjis', 'euc-jp', 'euc-kr', 'koi8-r', 'windows-1251', 'iso-8859-2', 'iso-8859-5', 'iso-8859-15'].includes(l)) return l;
  return undefined;
}

export function charsetFromContentType(contentType: string | undefined): string | undefined {
  const m = /charset\s*=\s*("?)([^";,\s]+)\1/i.exec(contentType ?? '');
  return m?.[2];
}

function bomCharset(body: Buffer): string | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  if (body[0] === 0x84 && body[1] === 0x31 && body[2] === 0x95 && body[3] === 0x33) return 'gb18030';
  return undefined;
}

/** `<meta charset>` or `<meta http-equiv="Content-Type" content="…charset=…">` in the first 4 KiB. */
export function metaCharset(body: Buffer): string | undefined {
  const head = body.subarray(0, 4096).toString('latin1');
  for (const m of head.matchAll(/<meta\b[^>]*>/gi)) {
    const tag = m[0];
    const direct = /\bcharset\s*=\s*["']?\s*([\w.:-]+)/i.exec(tag);
    if (direct) return direct[1];
  }
  return undefined;
}

const hasHighBytes = (b: Buffer) => b.some((x) => x >= 0x80);

/**
 * Whether bytes are UTF-8, allowing for what CMSes do to it: a character cut in two at the end
 * (titles truncated by byte count) and a stray bad byte or two in a long page.
 */
function isValidUtf8(body: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    const text = new TextDecoder('utf-8').decode(body);
    let bad = 0;
    let wide = 0;
    for (const ch of text) {
      if (ch === '\uFFFD') bad++;
      else if (ch.charCodeAt(0) > 0x7f) wide++;
    }
    return wide >= 20 && bad <= Math.max(2, wide / 200);
  }
}

/** Why the bytes contradict a declared charset, if they do (the declaration is then wrong). */
function contradicts(charset: string, body: Buffer): string | undefined {
  if (!hasHighBytes(body)) return undefined;
  if (charset === 'utf-8') return isValidUtf8(body) ? undefined : 'the bytes are not UTF-8';
  // A Chinese page that is valid UTF-8 with non-ASCII bytes is UTF-8: GBK text is almost never
  // valid UTF-8 beyond a few bytes. Latin-1 is a server default, never a Chinese page's truth.
  if (charset === 'windows-1252') return 'that is a server default, not the encoding of a page with non-ASCII text';
  if ((charset === 'gb18030' || charset === 'big5') && isValidUtf8(body)) return 'the bytes are UTF-8';
  if (charset !== 'gb18030' && charset !== 'utf-16le' && charset !== 'utf-16be') return implausible(charset, body);
  return undefined;
}

let commonHanzi: Set<string> | undefined;

/** The 3,755 characters of GB2312 level 1: the ones ordinary Chinese text is mostly made of. */
function common(): Set<string> {
  if (!commonHanzi) {
    const bytes: number[] = [];
    for (let row = 0xb0; row <= 0xd7; row++) for (let col = 0xa1; col <= (row === 0xd7 ? 0xf9 : 0xfe); col++) bytes.push(row, col);
    commonHanzi = new Set(iconv.decode(Buffer.from(bytes), 'gb2312'));
  }
  return commonHanzi;
}

/** Of the first Han characters of a text: how many, how many of them common, how many undecodable. */
function plausibility(text: string): { hanzi: number; share: number; bad: number } {
  const set = common();
  let hanzi = 0;
  let usual = 0;
  let bad = 0;
  for (const ch of text) {
    if (ch === '\uFFFD') bad++;
    else if (/\p{Script=Han}/u.test(ch)) {
      hanzi++;
      if (set.has(ch)) usual++;
      if (hanzi >= 3000) break;
    }
  }
  return { hanzi, share: hanzi ? usual / hanzi : 0, bad };
}

/**
 * A declared charset (Big5, Shift_JIS …) whose text is undecodable or rare-character soup, where
 * GB18030 reads the same bytes as ordinary Chinese: the declaration is wrong. A real Big5 page
 * stays Big5: read as GB18030 it is soup too.
 */
function implausible(charset: string, body: Buffer): string | undefined {
  const sample = body.subarray(0, 64 * 1024);
  const gb = plausibility(iconv.decode(sample, 'gb18030'));
  if (gb.hanzi < 10 || gb.bad > 0 || gb.share < 0.8) return undefined;
  const declared = plausibility(decodeWith(charset, sample));
  if (declared.bad === 0 && declared.share >= gb.share - 0.3) return undefined;
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  return `the text it gives is implausible (${declared.bad} undecodable, ${pct(declared.share)} common characters) where GB18030 reads the bytes as ordinary Chinese (${pct(gb.share)})`;
}

function sniff(body: Buffer): string {
  if (!hasHighBytes(body) || isValidUtf8(body)) return 'utf-8';
  return 'gb18030';
}

function decodeWith(charset: string, body: Buffer): string {
  if (charset === 'utf-8') return withoutNul(new TextDecoder('utf-8').decode(body).replace(/^\uFEFF/, ''));
  return withoutNul(iconv.decode(body, charset, { stripBOM: true }));
}

/**
 * NUL characters as U+FFFD, as an HTML parser reads them: no text column takes a NUL (PostgreSQL
 * refuses it), and the same text must be kept on either engine. Length is kept, so offsets into
 * the text still hold; the bytes as received stay in the blob.
 */
export function withoutNul(text: string): string {
  return text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text;
}

/**
 * Decodes a body from its raw bytes, in the order: a byte-order mark, the site file's setting,
 * the Content-Type header, `<meta>`, then sniffing (strict UTF-8, else GB18030). A declaration
 * that the bytes contradict is skipped and reported in `note`.
 */
export function decodeBody(body: Buffer, contentType: string | undefined, siteEncoding = 'auto'): Decoded {
  const notes: string[] = [];
  // a byte-order mark outranks any declaration (WHATWG); then the site file, header and <meta>
  const candidates: [CharsetSource, string | undefined][] = [
    ['bom', bomCharset(body)],
    ['site', siteEncoding === 'auto' ? undefined : siteEncoding],
    ['header', charsetFromContentType(contentType)],
    ['meta', metaCharset(body)],
  ];
  for (const [source, label] of candidates) {
    if (!label) continue;
    const charset = canonical(label, source);
    if (!charset) {
      notes.push(`${source} declares "${label}", which is not a page encoding`);
      continue;
    }
    const wrong = source !== 'site' && source !== 'bom' ? contradicts(charset, body) : undefined;
    if (wrong) {
      notes.push(`${source} declares ${label}, but ${wrong}`);
      continue;
    }
    const decoded: Decoded = { text: decodeWith(charset, body), charset, source };
    if (notes.length) decoded.note = notes.join('; ');
    return decoded;
  }
  const charset = sniff(body);
  const decoded: Decoded = { text: decodeWith(charset, body), charset, source: 'sniff' };
  if (notes.length) decoded.note = `${notes.join('; ')}; decoded as ${charset}`;
  return decoded;
}
