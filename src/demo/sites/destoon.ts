import type { ServerResponse } from 'node:http';
import type { FixturePosting } from './corpus.js';
import { dirOf, FamilySite, type FamilyList } from './family.js';
import { attachmentBytes, escapeHtml, gbk, MIME, send, type Req } from './site.js';

/**
 * A Destoon site (like hts.gov.cn, xjht.gov.cn: research notes §1): postings
 * /{module}/show.php?itemid=N, a missing item answered with real HTTP 404 and the show-notfound
 * template, uploads /file/upload/YYYYMM/DD/…doc (fn29). Lists are Destoon's own
 * /{module}/list.php?catid=N with &page=P and a 下一页 link: Destoon's defaults, NOT seen on
 * these hosts (the notes say nothing of their lists). GBK: Destoon ships GBK and UTF-8 editions;
 * which these hosts run is not known.
 */
export class DestoonSite extends FamilySite {
  readonly name: string = 'destoon';
  readonly title: string = '和田地区行政公署';
  protected override readonly attachmentKind = 'doc' as const;

  constructor() {
    super({ firstId: 601, county: '和田地区', newest: '2018-06-06' });
    this.encode = gbk;
    this.contentType = 'text/html;charset=gbk';
  }

  protected override listPattern(): { pattern: string; start: number } {
    return { pattern: 'list.php?catid=1&page={n}', start: 2 };
  }

  protected defaultListPath(): string {
    return '/article/list.php?catid=1';
  }

  protected postingPath(l: FamilyList, p: FixturePosting): string {
    return `${dirOf(l.path.replace(/\?.*$/, ''))}show.php?itemid=${p.id}`;
  }

  private attachmentPath(p: FixturePosting): string {
    const [y, m, d] = p.date.split('-');
    return `/file/upload/${y}${m}/${d}/1842${String(p.id).padStart(5, '0')}.doc`;
  }

  handle(req: Req, res: ServerResponse): void {
    if (req.path.endsWith('/list.php')) {
      const list = this.listAt(req, `${req.path}?catid=${req.query.get('catid') ?? ''}`);
      const page = Number(req.query.get('page') ?? '1');
      if (list && page >= 1 && page <= this.pageCount(list)) return this.sendList(res, list, page);
    }
    if (req.path.endsWith('/show.php')) {
      const p = this.postingOn(req, Number(req.query.get('itemid')));
      const ok = p && dirOf(this.listOf(p).path.replace(/\?.*$/, '')) === dirOf(req.path);
      return this.servePosting(req, res, ok ? p : undefined, (x) => this.postingHtml(x));
    }
    if (req.path.startsWith('/file/upload/')) {
      const p = this.listed().find((x) => x.attachments.length && this.attachmentPath(x) === req.path);
      if (p) return send(res, 200, attachmentBytes('doc'), { 'Content-Type': MIME.doc });
    }
    if (req.path === '/') return send(res, 200, gbk(this.frame('首页', this.listsOn(req).map((l) => `<a href="${l.path}">更多</a>`).join(' '))), { 'Content-Type': this.contentType });
    this.sendNotFound(res);
  }

  /** Destoon's show-notfound template, with a real 404 */
  override sendNotFound(res: ServerResponse): void {
    send(res, 404, gbk(this.frame('信息不存在', '<div class="m"><div class="warn"><h3>抱歉，您要访问的信息不存在或者已经被删除</h3><p><a href="/">返回首页</a></p></div></div>')), { 'Content-Type': this.contentType });
  }

  private frame(heading: string, body: string): string {
    return `<!doctype html><html><head><meta http-equiv="Content-Type" content="text/html;charset=gbk"/><title>${heading}_${this.title}</title>
<meta name="generator" content="DESTOON B2B - www.destoon.com"/></head><body>
<div class="head"><a href="/">首页</a></div>${body}<div class="foot">${this.title} 版权所有</div></body></html>`;
  }

  private sendList(res: ServerResponse, l: FamilyList, page: number): void {
    const total = this.pageCount(l);
    const base = l.path.replace(/^.*\//, '');
    const href = (n: number) => (n === 1 ? base : `${base}&amp;page=${n}`);
    const rows = this.pageItems(l, page)
      .map((p) => `<li><i>${p.date}</i><a href="${this.postingPath(l, p)}" target="_blank" title="${escapeHtml(p.title)}">${escapeHtml(p.title)}</a></li>`)
      .join('\n');
    const pager = `<div class="pages">${page > 1 ? `<a href="${href(page - 1)}">&laquo;上一页</a> ` : ''}<strong>${page}</strong>/${total} ${page < total ? `<a href="${href(page + 1)}">下一页</a>` : ''}</div>`;
    send(res, 200, gbk(this.frame('列表', `<div class="m"><div class="catlist"><ul>\n${rows}\n</ul></div>${pager}</div>`)), { 'Content-Type': this.contentType });
  }

  postingHtml(p: FixturePosting): string {
    const att = p.attachments.map((a) => `<p><a href="${this.attachmentPath(p)}" target="_blank">${escapeHtml(a.name)}</a></p>`).join('');
    return this.frame(
      escapeHtml(p.title),
      `<div class="m"><h1 class="title" id="title">${escapeHtml(p.title)}</h1>
<div class="info"><span>发布日期：${p.date}</span>&nbsp;&nbsp;<span>来源：${escapeHtml(p.source)}</span>&nbsp;&nbsp;<span>浏览次数：<span id="hits">${p.views}</span></span></div>
<div id="article" class="content">${p.paragraphs.map((t) => `<p>${escapeHtml(t)}</p>`).join('\n')}${att}</div></div>`,
    );
  }
}
