export type DocumentKind = 'pdf' | 'doc' | 'docx' | 'xls' | 'xlsx' | 'ole' | 'zip' | 'rar' | 'rtf' | 'text' | 'unknown';

/**
 * What a downloaded file is, from its first bytes first (servers send PDFs as
 * application/octet-stream, and VSB names everything download.jsp), then its name.
 */
export function documentKind(bytes: Uint8Array, name = '', contentType = ''): DocumentKind {
  const ext = /\.([a-z0-9]+)$/i.exec(name.trim())?.[1]?.toLowerCase() ?? '';
  const head = Buffer.from(bytes.subarray(0, 8));
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (head.equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) {
    // an OLE compound file: Word 97 or Excel 97 (or WPS, which writes the same formats)
    if (ext === 'xls' || ext === 'et' || /excel/i.test(contentType)) return 'xls';
    if (ext === 'doc' || ext === 'wps' || /msword/i.test(contentType)) return 'doc';
    return 'ole'; // no name to go by (download.jsp): the reader tries Word, then Excel
  }
  if (head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    const zipNames = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 64 * 1024))).toString('latin1');
    if (zipNames.includes('word/')) return 'docx';
    if (zipNames.includes('xl/')) return 'xlsx';
    if (ext === 'docx' || ext === 'xlsx') return ext;
    return 'zip'; // an archive of attachments (a county's 附件.zip)
  }
  if (head.subarray(0, 4).toString('latin1') === 'Rar!') return 'rar';
  // Word, WPS and the sites' editors write RTF however the file is named (.doc is common)
  if (head.subarray(0, 5).toString('latin1') === '{\\rtf') return 'rtf';
  if (ext === 'txt' || ext === 'csv' || /^text\/(plain|csv)/i.test(contentType)) return 'text';
  return 'unknown';
}
