import type { ServerResponse } from 'node:http';
import type { FixturePosting } from './corpus.js';
import { FamilySite, type FamilyList } from './family.js';
import { attachmentBytes, escapeHtml, gbk, MIME, notFoundHtml, send, type Req } from './site.js';

/**
 * VSB/博达 under any list path (xjdrc.gov.cn, xjyl.gov.cn: research notes §1), for checking real
 * hosts' site files; county-vsb.ts is the same family at fixed paths with the hostile pages.
 * GB2312 declared only in <meta>; a list {slug}.htm whose later pages are {slug}/{N}.htm counting
 * DOWN (page P of T is T-P+1.htm) and linked by 下一页; postings /info/{column}/{id}.htm, a column
 * per list; attachments behind download.jsp, refused without the posting as Referer.
 */
export class VsbSite extends FamilySite {
  readonly name: string = 'vsb';
  readonly title: string = '新疆维吾尔自治区发展和改革委员会';

  constructor() {
    super({ firstId: 22301, county: '自治区', newest: '2019-05-20' });
    this.encode = gbk;
    this.contentType = 'text/html';
  }

  protected defaultListPath(): string {
    return '/tzgg.htm';
  }

  private column(l: FamilyList): number {
    return 11450 + l.n;
  }

  protected postingPath(l: FamilyList, p: FixturePosting): string {
    return `/info/${this.column(l)}/${p.id}.htm`;
  }

  handle(req: Req, res: ServerResponse): void {
    const first = this.listAt(req, req.path);
    if (first && req.path.endsWith('.htm')) return this.sendList(res, first, 1);
    const lm = /^(.*)\/(\d+)\.htm$/.exec(req.path);
    const later = lm ? this.listAt(req, `${lm[1]}.htm`) : undefined;
    if (lm && later) {
      const page = this.pageCount(later) - Number(lm[2]) + 1;
      if (page >= 2 && page <= this.pageCount(later)) return this.sendList(res, later, page);
    }
    const pm = /^\/info\/(\d+)\/(\d+)\.htm$/.exec(req.path);
    if (pm) {
      const p = this.postingOn(req, Number(pm[2]));
      const ok = p && this.column(this.listOf(p)) === Number(pm[1]);
      return this.servePosting(req, res, ok ? p : undefined, (x) => this.postingHtml(x));
    }
    if (req.path === '/system/_content/download.jsp') return this.sendDownload(req, res);
    if (req.path === '/' || req.path === '/index.htm') return send(res, 200, gbk(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" /><title>${this.title}</title></head><body>${this.listsOn(req).map((l) => `<a href="${l.path}">更多</a>`).join(' ')}</body></html>`), { 'Content-Type': 'text/html' });
    this.sendNotFound(res);
  }

  private sendList(res: ServerResponse, l: FamilyList, page: number): void {
    const total = this.pageCount(l);
    const slug = l.path.replace(/^.*\//, '').replace(/\.htm$/, '');
    // hrefs relative to the page: page 1 is {slug}.htm beside the folder {slug}/
    const href = (n: number) => {
      const target = n === 1 ? `${slug}.htm` : `${slug}/${total - n + 1}.htm`;
      return page === 1 ? target : n === 1 ? `../${slug}.htm` : `${total - n + 1}.htm`;
    };
    const up = page === 1 ? '' : '../';
    const rows = this.pageItems(l, page)
      .map((p) => `<li id="line_u5_${p.id}"><a href="${up}${'../'.repeat(l.path.split('/').length - 2)}info/${this.column(l)}/${p.id}.htm" target="_blank" title="${escapeHtml(p.title)}">${escapeHtml(p.title)}</a><span>${p.date}</span></li>`)
      .join('\n');
    const pager = `<span class="p_pages">共${this.listedOn(l).length}条&nbsp;&nbsp;${page}/${total}</span>${page > 1 ? `<span class="p_prev"><a href="${href(page - 1)}">上页</a></span>` : ''}${page < total ? `<span class="p_next"><a href="${href(page + 1)}">下一页</a></span><span class="p_last"><a href="${href(total)}">尾页</a></span>` : ''}`;
    const html = `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" /><title>列表-${this.title}</title></head>
<body><div class="top"><a href="/">首页</a></div><div class="list"><ul>
${rows}
</ul></div><div class="pb_sys_common pb_sys_normal">${pager}</div><div class="foot">版权所有：${this.title}</div></body></html>`;
    send(res, 200, gbk(html), { 'Content-Type': 'text/html' });
  }

  private sendDownload(req: Req, res: ServerResponse): void {
    const owner = Number(req.query.get('owner'));
    const p = this.posting(owner);
    const a = p && !this.gone.has(p.id) ? p.attachments[Number(req.query.get('wbfileid')) - 1] : undefined;
    if (!p || !a) return send(res, 404, notFoundHtml(), { 'Content-Type': 'text/html' });
    if (!String(req.headers.referer ?? '').includes(`/${p.id}.htm`)) {
      return send(res, 200, gbk('<html><head><meta charset="gb2312"><title>系统提示</title></head><body>对不起，您无权下载该附件！</body></html>'), { 'Content-Type': 'text/html;charset=GBK' });
    }
    send(res, 200, attachmentBytes(a.kind), { 'Content-Type': 'application/octet-stream', 'Content-Disposition': `attachment; filename="${encodeURIComponent(a.name)}"` });
  }

  postingHtml(p: FixturePosting): string {
    const att = p.attachments
      .map((a, i) => `<li>附件【<a href="/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=${p.id}&wbfileid=${i + 1}" target="_blank">${escapeHtml(a.name)}</a>】已下载<span>${p.views % 50}</span>次</li>`)
      .join('');
    return `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" /><title>${escapeHtml(p.title)}-${this.title}</title></head>
<body><div class="top"><a href="/">首页</a></div>
<form name="_newscontent_fromname"><div align="center"><h1>${escapeHtml(p.title)}</h1></div>
<div class="info" align="center">发布时间：${p.date.replace(/^(\d+)-(\d+)-(\d+)$/, '$1年$2月$3日')}&nbsp;&nbsp;来源：${escapeHtml(p.source)}&nbsp;&nbsp;浏览次数：<span>${p.views}</span></div>
<div id="vsb_content"><div class="v_news_content">
${p.paragraphs.map((t) => `<p style="text-indent:2em;">${escapeHtml(t)}</p>`).join('\n')}
</div></div>${att ? `<div class="fj"><ul>${att}</ul></div>` : ''}</form>
<div class="foot">版权所有：${this.title}</div></body></html>`;
  }
}
