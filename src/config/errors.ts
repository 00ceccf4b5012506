/**
 * Bad input the user can fix: a site, term or settings file, or a command-line value. The CLI
 * prints the message and exits 2. The message names the file, line and field.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly field?: string,
  ) {
    const where = [file, line !== undefined && file ? String(line) : undefined].filter(Boolean).join(':');
    const prefix = [where, field].filter(Boolean).join(': ');
    super(prefix ? `${prefix}: ${message}` : message);
    this.name = 'InputError';
  }
}
