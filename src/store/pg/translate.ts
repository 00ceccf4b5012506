/**
 * SQLite's dialect, as the store writes it, for PostgreSQL: `?` and `@name` placeholders become
 * `$n`, `INSERT OR IGNORE` becomes `ON CONFLICT DO NOTHING`, and an insert into a table with an
 * `id` returns it (better-sqlite3's lastInsertRowid). Anything else that differs is written per
 * dialect where it is used (store/dialect.ts): rewriting more here would be guessing.
 */
export interface PgSql {
  text: string;
  /** how many positional parameters, or the names in order */
  count: number;
  names: string[] | undefined;
  returnsId: boolean;
}

/** Tables whose rows have an `id` the writer needs back (every `id INTEGER PRIMARY KEY` of the schema). */
const ID_TABLES = new Set(['runs', 'pages', 'fetches', 'captures', 'renderings', 'checks', 'events', 'mails', 'alerts', 'requisites', 'prior_captures', 'warc_files', 'bundles', 'bundle_pages']);

export function toPg(sql: string): PgSql {
  let out = '';
  let count = 0;
  const names: string[] = [];
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      // a literal or a quoted name, doubled quotes included: copied as it is
      let j = i + 1;
      while (j < sql.length && !(sql[j] === c && sql[j + 1] !== c)) j += sql[j] === c ? 2 : 1;
      out += sql.slice(i, j + 1);
      i = j;
    } else if (c === '-' && sql[i + 1] === '-') {
      const j = sql.indexOf('\n', i);
      const end = j < 0 ? sql.length : j;
      out += sql.slice(i, end);
      i = end - 1;
    } else if (c === '?') {
      out += `$${++count}`;
    } else if (c === '@' && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      const name = /^[A-Za-z_]\w*/.exec(sql.slice(i + 1))![0];
      let n = names.indexOf(name);
      if (n < 0) n = names.push(name) - 1;
      out += `$${n + 1}`;
      i += name.length;
    } else {
      out += c;
    }
  }
  if (count && names.length) throw new Error('a statement mixes ? and @name parameters');
  let text = out.trim().replace(/;$/, '');
  if (/^INSERT\s+OR\s+IGNORE\s+INTO\b/i.test(text)) text = `${text.replace(/^INSERT\s+OR\s+IGNORE\s+INTO\b/i, 'INSERT INTO')} ON CONFLICT DO NOTHING`;
  const table = /^INSERT\s+INTO\s+(\w+)/i.exec(text)?.[1]?.toLowerCase();
  const returnsId = !!table && ID_TABLES.has(table) && !/\bRETURNING\b/i.test(text);
  if (returnsId) text += ' RETURNING id';
  return { text, count: names.length ? names.length : count, names: names.length ? names : undefined, returnsId };
}
