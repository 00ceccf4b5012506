import type { Link } from './links.js';

export interface AttachmentLink {
  url: string;
  /** the file name a reader sees, e.g. 附件【名单.xls】 -> 名单.xls */
  name: string;
  /** pdf, doc, docx, xls, xlsx, … when the name or URL tells */
  type?: string;
}

const EXT = /\.(pdf|docx?|xlsx?|wps|et|ofd|pptx?|zip|rar|7z|txt|csv|rtf)(?=$|[?#\s】\])）)])/i;
const DOWNLOAD_URL = /download\.jsp|DownloadAttach|downfile|download\.(aspx|php|do)|\/attach(ment)?s?\//i;

/**
 * Links that are files attached to a posting: by extension, by download endpoint, or by 附件
 * wording whatever the address (附件1：名单 → /attach?id=3, or a file served from a .htm address).
 */
export function findAttachments(links: Link[]): AttachmentLink[] {
  const out: AttachmentLink[] = [];
  const seen = new Set<string>();
  for (const l of links) {
    let path = '';
    try {
      path = decodeURIComponent(new URL(l.url).pathname);
    } catch {
      path = l.url;
    }
    const byUrl = EXT.exec(path);
    const byText = EXT.exec(l.text);
    const labelled = /^\s*[【\[]?\s*附件/.test(l.text);
    if (!byUrl && !byText && !labelled && !(DOWNLOAD_URL.test(l.url) && /附件|下载|\./.test(l.text))) continue;
    if (seen.has(l.url)) continue;
    seen.add(l.url);
    const cleaned = l.text.replace(/^\s*[【\[]?附件\s*\d*\s*[】\]]?\s*[:：]?\s*/, '').replace(/^[【\[]|[】\]]$/g, '').trim();
    const fromPath = path.split('/').pop() ?? '';
    const name = cleaned && (byText || !byUrl) ? cleaned : fromPath || cleaned || l.url;
    const type = (byText ?? byUrl)?.[1]?.toLowerCase();
    out.push(type ? { url: l.url, name, type } : { url: l.url, name });
  }
  return out;
}
