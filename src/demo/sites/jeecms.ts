import type { ServerResponse } from 'node:http';
import type { FixturePosting } from './corpus.js';
import { dirOf, FamilySite, type FamilyList } from './family.js';
import { attachmentBytes, escapeHtml, MIME, send, type Req } from './site.js';

/**
 * A JEECMS site (like xj-agri.gov.cn, xjfp.gov.cn: research notes §1): UTF-8, a channel's list
 * /{channel}/index.jhtml then index_2.jhtml …, postings /{channel}/{id}.jhtml, attachments under
 * /u/cms/www/YYYYMM/, and an unknown id answered with the pageNotFound template and HTTP 404
 * (JEECMS's FrontUtils.pageNotFound sets 404). The templates are a plain JEECMS default layout,
 * not a copy of any real host's.
 */
export class JeecmsSite extends FamilySite {
  readonly name: string = 'jeecms';
  readonly title: string = '新疆维吾尔自治区扶贫开发办公室';

  constructor() {
    super({ firstId: 43001, county: '自治区', newest: '2019-04-02' });
  }

  protected override listPattern(): { pattern: string; start: number } {
    return { pattern: 'index_{n}.jhtml', start: 2 };
  }

  protected defaultListPath(): string {
    return '/tpgj/index.jhtml';
  }

  protected postingPath(l: FamilyList, p: FixturePosting): string {
    return `${dirOf(l.path)}${p.id}.jhtml`;
  }

  private attachmentPath(p: FixturePosting): string {
    return `/u/cms/www/${p.date.slice(0, 7).replace('-', '')}/${p.date.replaceAll('-', '').slice(2)}${p.id}.pdf`;
  }

  handle(req: Req, res: ServerResponse): void {
    const lm = /^(.*\/)index(?:_(\d+))?\.jhtml$/.exec(req.path);
    const list = lm ? this.listAt(req, `${lm[1]}index.jhtml`) : undefined;
    if (lm && list) {
      const page = Number(lm[2] ?? '1');
      if (page >= 1 && page <= this.pageCount(list) && lm[2] !== '1') return this.sendList(res, list, page);
    }
    const pm = /^(.*\/)(\d+)\.jhtml$/.exec(req.path);
    if (pm) {
      const p = this.postingOn(req, Number(pm[2]));
      const ok = p && dirOf(this.listOf(p).path) === pm[1];
      return this.servePosting(req, res, ok ? p : undefined, (x) => this.postingHtml(x));
    }
    if (req.path.startsWith('/u/cms/www/')) {
      const p = this.listed().find((x) => x.attachments.length && this.attachmentPath(x) === req.path);
      if (p) return send(res, 200, attachmentBytes('pdf'), { 'Content-Type': MIME.pdf });
    }
    if (req.path === '/') return send(res, 200, this.frame('首页', `<ul>${this.listsOn(req).map((l) => `<li><a href="${l.path}">更多</a></li>`).join('')}</ul>`), { 'Content-Type': 'text/html;charset=UTF-8' });
    this.sendNotFound(res);
  }

  /** JEECMS's pageNotFound: the site's frame with a message, status 404 */
  override sendNotFound(res: ServerResponse): void {
    send(res, 404, this.frame('页面没有找到', '<div class="error"><h3>页面没有找到</h3><p>您访问的页面不存在或已被删除。</p><a href="/">返回首页</a></div>'), { 'Content-Type': 'text/html;charset=UTF-8' });
  }

  private frame(heading: string, body: string): string {
    return `<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"/><title>${heading} - ${this.title}</title>
<link href="/r/cms/www/red/css/style.css" rel="stylesheet" type="text/css"/></head><body>
<div class="top"><a href="/">网站首页</a></div>${body}<div class="footer">版权所有：${this.title}</div></body></html>`;
  }

  private sendList(res: ServerResponse, l: FamilyList, page: number): void {
    const total = this.pageCount(l);
    const href = (n: number) => (n === 1 ? 'index.jhtml' : `index_${n}.jhtml`);
    const rows = this.pageItems(l, page)
      .map((p) => `<li><span>${p.date}</span><a href="${this.postingPath(l, p)}" target="_blank" title="${escapeHtml(p.title)}">${escapeHtml(p.title)}</a></li>`)
      .join('\n');
    const pager = `<div class="pagebar">共${this.listedOn(l).length}条 ${page}/${total}页 <a href="${href(1)}">首页</a>${page > 1 ? ` <a href="${href(page - 1)}">上一页</a>` : ''}${page < total ? ` <a href="${href(page + 1)}">下一页</a>` : ''} <a href="${href(total)}">尾页</a></div>`;
    send(res, 200, this.frame('通知公告', `<div class="position">当前位置：<a href="/">首页</a> &gt; 列表</div><div class="list"><ul>\n${rows}\n</ul></div>${pager}`), { 'Content-Type': 'text/html;charset=UTF-8' });
  }

  postingHtml(p: FixturePosting): string {
    const att = p.attachments.map((a) => `<p>附件：<a href="${this.attachmentPath(p)}">${escapeHtml(a.name)}</a></p>`).join('');
    return this.frame(
      escapeHtml(p.title),
      `<div class="position">当前位置：<a href="/">首页</a> &gt; 正文</div>
<div class="content"><h1 class="title">${escapeHtml(p.title)}</h1>
<div class="msgbar">发布时间：${p.date} 10:21:05 &nbsp; 来源：${escapeHtml(p.source)} &nbsp; 浏览次数：<span id="views">${p.views}</span></div>
<div class="ct" id="text">${p.paragraphs.map((t) => `<p>${escapeHtml(t)}</p>`).join('\n')}${att}</div></div>`,
    );
  }
}
