import type { ServerResponse } from 'node:http';
import type { FixturePosting } from './corpus.js';
import { dirOf, FamilySite, hex32, type FamilyList } from './family.js';
import { attachmentBytes, escapeHtml, MIME, send, type Req } from './site.js';

/**
 * The current Xinjiang government platform (xinjiang.gov.cn, kashi.gov.cn since 2023: research
 * notes §1): UTF-8, a column's list {column}/common_list.shtml then common_list_2.shtml …,
 * postings {column}/YYYYMM/{32 hex}.shtml (/xinjiang/tzgg/202412/….shtml,
 * /ksdqxzgs/c106707/202307/….shtml). The vendor is unknown: the page layout, the pager's look
 * (下一页 links here) and the attachment folder ({column}/YYYYMM/{32 hex}/files/….pdf) are
 * GUESSES; the site files of this family rely on the common_list_{n} pattern and the posting URL
 * shape only. An unknown URL gets a plain 404.
 */
export class XjPlatformSite extends FamilySite {
  readonly name: string = 'platform';
  readonly title: string = '新疆维吾尔自治区人民政府网';

  constructor() {
    super({ firstId: 500001, county: '自治区', newest: '2024-12-03' });
  }

  protected override listPattern(): { pattern: string; start: number } {
    return { pattern: 'common_list_{n}.shtml', start: 2 };
  }

  protected defaultListPath(): string {
    return '/xinjiang/tzgg/common_list.shtml';
  }

  protected postingPath(l: FamilyList, p: FixturePosting): string {
    return `${dirOf(l.path)}${p.date.slice(0, 7).replace('-', '')}/${hex32(p.id)}.shtml`;
  }

  private attachmentPath(l: FamilyList, p: FixturePosting): string {
    return `${this.postingPath(l, p).replace(/\.shtml$/, '')}/files/${hex32(p.id + 1).slice(0, 16)}.pdf`;
  }

  handle(req: Req, res: ServerResponse): void {
    const lm = /^(.*\/)common_list(?:_(\d+))?\.shtml$/.exec(req.path);
    const list = lm ? this.listAt(req, `${lm[1]}common_list.shtml`) : undefined;
    if (lm && list) {
      const page = Number(lm[2] ?? '1');
      if (page >= 1 && page <= this.pageCount(list) && lm[2] !== '1') return this.sendList(res, list, page);
    }
    const pm = /^(.*\/)\d{6}\/([0-9a-f]{32})(?:\.shtml|\/files\/[0-9a-f]{16}\.pdf)$/.exec(req.path);
    if (pm) {
      const p = this.postings.find((x) => hex32(x.id) === pm[2]);
      const mine = p && this.postingOn(req, p.id);
      const l = mine ? this.listOf(p) : undefined;
      if (l && p && req.path.endsWith('.pdf') && p.attachments.length && this.attachmentPath(l, p) === req.path && !this.gone.has(p.id)) {
        return send(res, 200, attachmentBytes('pdf'), { 'Content-Type': MIME.pdf });
      }
      if (l && p && this.postingPath(l, p) === req.path) return this.servePosting(req, res, p, (x) => this.postingHtml(x));
    }
    if (req.path === '/') return send(res, 200, this.frame('首页', this.listsOn(req).map((l) => `<a href="${l.path}">更多</a>`).join(' ')), { 'Content-Type': 'text/html; charset=utf-8' });
    this.sendNotFound(res);
  }

  private frame(heading: string, body: string): string {
    return `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${heading}_${this.title}</title></head><body>
<div class="header"><a href="/">首页</a></div>${body}<div class="footer">${this.title} 主办</div></body></html>`;
  }

  private sendList(res: ServerResponse, l: FamilyList, page: number): void {
    const total = this.pageCount(l);
    const href = (n: number) => (n === 1 ? 'common_list.shtml' : `common_list_${n}.shtml`);
    const rows = this.pageItems(l, page)
      .map((p) => `<li><a href="${this.postingPath(l, p)}" target="_blank" title="${escapeHtml(p.title)}">${escapeHtml(p.title)}</a><span>${p.date}</span></li>`)
      .join('\n');
    const pager = `<div class="pagination">${page > 1 ? `<a href="${href(page - 1)}">上一页</a> ` : ''}<span>${page}/${total}</span> ${page < total ? `<a href="${href(page + 1)}">下一页</a>` : ''}</div>`;
    send(res, 200, this.frame('列表', `<div class="list"><ul>\n${rows}\n</ul></div>${pager}`), { 'Content-Type': 'text/html; charset=utf-8' });
  }

  postingHtml(p: FixturePosting): string {
    const l = this.listOf(p);
    const att = p.attachments.map((a) => `<p>附件：<a href="${this.attachmentPath(l, p)}">${escapeHtml(a.name)}</a></p>`).join('');
    return this.frame(
      escapeHtml(p.title),
      `<div class="detail"><h1 class="detail-title">${escapeHtml(p.title)}</h1>
<div class="detail-info"><span>发布时间：${p.date} 10:00</span><span>来源：${escapeHtml(p.source)}</span></div>
<div class="detail-content">${p.paragraphs.map((t) => `<p>${escapeHtml(t)}</p>`).join('\n')}${att}</div></div>`,
    );
  }
}
