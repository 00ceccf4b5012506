/**
 * Lines joined back into one text, with the URLs a line end cut in two made whole again — as
 * PDF-to-text tools leave a long URL in a footnote:
 *
 *   https://web.archive.org/web/20180813115300/http://www.kashi.gov.cn/Government/PublicInfoShow.
 *   aspx?ID=2851
 *
 * Conservatively: only a line that ends inside a URL, followed by a line that starts (without
 * indentation) with something only a URL would hold there. A cut after `-`, `_`, `=`, `&`, `?` or
 * `%` is always a cut; after `/` or `.` the next piece must look like a path or query (digits,
 * `/`, `?`, `=`…) or, after `.`, a file extension; a URL that already ends in a file name
 * (`…/24289.shtml`) takes only a query (`?id=1`). A word (`or`, `Also`) never continues a URL,
 * except the rest of a file extension (`….p` + `df`).
 */
export function rejoinLines(lines: readonly string[]): string {
  let out = '';
  let current = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (i > 0) {
      if (continuesUrl(current, line)) {
        current = current.trimEnd() + line;
        continue;
      }
      out += `${current}\n`;
    }
    current = line;
  }
  return out + current;
}

const EXTENSIONS = new Set(
  'htm html shtml shtm jhtml xhtml asp aspx jsp php cgi do action pdf doc docx xls xlsx ppt pptx wps et txt csv rar zip 7z jpg jpeg png gif ofd xml json'.split(' '),
);

/** Does `next` carry on the URL that `line` ends with? */
export function continuesUrl(line: string, next: string): boolean {
  const tail = /(\S+)\s*$/.exec(line)?.[1];
  if (!tail || /^\s/.test(next)) return false;
  const at = tail.search(/https?:\/\/|www\./i);
  if (at < 0) return false;
  const url = tail.slice(at);
  if (!/^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/.test(url)) return false;
  const head = /^\S+/.exec(next)?.[0] ?? '';
  if (!head || /^(?:https?:\/\/|www\.)/i.test(head)) return false;
  // what the next line starts with, less the punctuation that would end a sentence
  const piece = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/.exec(head)?.[0]?.replace(/[.,;:!?'")\]]+$/, '') ?? '';
  if (!piece || /^[([{'"]/.test(piece)) return false;
  const urlish = /[0-9/?=&%_~#]/.test(piece);
  const last = url[url.length - 1]!;
  if ('-_=&?%'.includes(last)) return true;
  if (last === '/') return urlish;
  if (last === '.') return urlish || EXTENSIONS.has(/^[A-Za-z0-9]+/.exec(piece)?.[0]?.toLowerCase() ?? '');
  if (endsInFileName(url)) return /^[?#&]/.test(piece);
  if (urlish || /^\d/.test(piece)) return true;
  // `….p` + `df`: the rest of a file extension
  const ext = /\.([A-Za-z]{1,4})$/.exec(url)?.[1];
  return Boolean(ext && /^[A-Za-z]+$/.test(piece) && EXTENSIONS.has((ext + piece).toLowerCase()));
}

/** `…/24289.shtml`: a path whose last segment has a known extension, no query or fragment after it. */
function endsInFileName(url: string): boolean {
  if (/[?#]/.test(url.replace(/^[a-z]+:\/\//i, ''))) return false;
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(url)?.[1]?.toLowerCase();
  return Boolean(ext && EXTENSIONS.has(ext) && /\/[^/]+$/.test(url.replace(/^[a-z]+:\/\//i, '')));
}
