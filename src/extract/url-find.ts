/** A URL written in a text, where it starts and ends there (before trimming). */
export interface FoundUrl {
  url: string;
  start: number;
  end: number;
}

/**
 * URLs as reports write them: with a scheme, or starting with `www.`. Only the characters a URL
 * may hold unescaped, so that Chinese text or punctuation right after one ends it (见http://…/a.htm。).
 */
const URL_IN_TEXT = /(?:https?:\/\/|(?<![\w@./-])www\.)[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/gi;

/** Every URL in `text`, trimmed of the punctuation that closes the sentence around it. */
export function findUrls(text: string): FoundUrl[] {
  const out: FoundUrl[] = [];
  for (const m of text.matchAll(URL_IN_TEXT)) {
    const raw = trimUrl(m[0]);
    const url = absoluteUrl(raw);
    if (url) out.push({ url, start: m.index, end: m.index + raw.length });
  }
  return out;
}

/** Drops what ends a sentence rather than a URL: `.`, `,`, `;`, quotes, a `)` or `]` never opened. */
export function trimUrl(raw: string): string {
  let s = raw;
  for (;;) {
    const last = s[s.length - 1];
    if (last === undefined) return s;
    if (".,;:!?'\"".includes(last)) s = s.slice(0, -1);
    else if (last === ')' && count(s, '(') < count(s, ')')) s = s.slice(0, -1);
    else if (last === ']' && count(s, '[') < count(s, ']')) s = s.slice(0, -1);
    else return s;
  }
}

function count(s: string, c: string): number {
  let n = 0;
  for (const ch of s) if (ch === c) n++;
  return n;
}

/** `www.x.gov.cn/…` as http://; undefined for what no browser would open (no host with a dot). */
function absoluteUrl(raw: string): string | undefined {
  const withScheme = /^https?:\/\//i.test(raw) ? raw : `http://${raw}`;
  try {
    const u = new URL(withScheme);
    if (!u.hostname.includes('.') || u.hostname.endsWith('.')) return undefined;
    return u.href;
  } catch {
    return undefined;
  }
}
