/** A shell word: a command a user pastes must run as shown, whatever a crawled URL holds (; | & $ spaces). */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
