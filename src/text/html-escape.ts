/**
 * Characters a reader cannot see but a browser obeys: bidirectional overrides, embeddings and
 * isolates (a title with U+202E shows reversed), marks, zero-width space, word joiner, BOM, and
 * the C0/C1 controls but tab and line breaks. ZWJ and ZWNJ (U+200C/U+200D) are left: Uyghur's
 * Arabic script needs them to join letters.
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;

/** Shows an invisible character as ⟨U+202E⟩: in a report or a mail it is evidence, never an instruction. */
export function showInvisible(s: string): string {
  return s.replace(INVISIBLE, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

/** Page content is untrusted: everything put into HTML goes through this. */
export function esc(s: unknown): string {
  return showInvisible(String(s ?? '')).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A snippet as HTML, each occurrence of `term` in a <mark>, everything escaped (mails, the web view). */
export function markedHtml(snippet: string, term: string): string {
  return term ? snippet.split(term).map(esc).join(`<mark>${esc(term)}</mark>`) : esc(snippet);
}
