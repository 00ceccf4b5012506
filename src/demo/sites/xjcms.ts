import type { ServerResponse } from 'node:http';
import type { FixturePosting } from './corpus.js';
import { dirOf, FamilySite, type FamilyList } from './family.js';
import { escapeHtml, send, type Req } from './site.js';

/**
 * The "xjcms" sites (akss.gov.cn /xjcms/front/s448/xxgk/20181123/i105526.html, and xjawt.gov.cn,
 * ws.gov.cn serving the same shape without the /xjcms/front/s{site} prefix: research notes §1):
 * UTF-8, postings {section}/YYYYMMDD/i{id}.html under a section folder. Only the posting URLs
 * are seen. The list (the section folder itself, {section}/, with a 下一页 link to ?page=N) and
 * the page layout are GUESSES, so the site files of this family rely on the 下一页 link and the
 * posting URL shape only. No attachment shape is known for this family, so none is imitated;
 * an unknown URL answers 200 with a "页面不存在" page (a soft 404), also a guess.
 */
export class XjcmsSite extends FamilySite {
  readonly name: string = 'xjcms';
  readonly title: string = '阿克苏市人民政府';
  protected override readonly attachments = false;

  constructor() {
    super({ firstId: 105501, county: '阿克苏市', newest: '2018-11-23' });
    this.notFoundMode = 'soft-phrase';
  }

  protected defaultListPath(): string {
    return '/xjcms/front/s448/xxgk/';
  }

  protected postingPath(l: FamilyList, p: FixturePosting): string {
    return `${dirOf(l.path)}${p.date.replaceAll('-', '')}/i${p.id}.html`;
  }

  handle(req: Req, res: ServerResponse): void {
    const list = req.path.endsWith('/') ? this.listAt(req, req.path) : undefined;
    if (list) {
      const page = Number(req.query.get('page') ?? '1');
      if (page >= 1 && page <= this.pageCount(list)) return this.sendList(res, list, page);
    }
    const pm = /^(.*\/)(\d{8})\/i(\d+)\.html$/.exec(req.path);
    if (pm) {
      const p = this.postingOn(req, Number(pm[3]));
      const ok = p && this.postingPath(this.listOf(p), p) === req.path;
      return this.servePosting(req, res, ok ? p : undefined, (x) => this.postingHtml(x));
    }
    if (req.path === '/') return send(res, 200, this.frame('首页', this.listsOn(req).map((l) => `<a href="${l.path}">更多</a>`).join(' ')), { 'Content-Type': 'text/html; charset=utf-8' });
    this.sendNotFound(res);
  }

  private frame(heading: string, body: string): string {
    return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${heading}-${this.title}</title></head><body>
<div class="header"><a href="/">首页</a></div>${body}<div class="footer">${this.title}主办</div></body></html>`;
  }

  private sendList(res: ServerResponse, l: FamilyList, page: number): void {
    const total = this.pageCount(l);
    const rows = this.pageItems(l, page)
      .map((p) => `<li><a href="${this.postingPath(l, p)}" target="_blank">${escapeHtml(p.title)}</a><span class="time">${p.date}</span></li>`)
      .join('\n');
    const pager = `<div class="page">${page > 1 ? `<a href="?page=${page - 1}">上一页</a> ` : ''}第${page}页 共${total}页 ${page < total ? `<a href="?page=${page + 1}">下一页</a>` : ''}</div>`;
    send(res, 200, this.frame('信息公开', `<div class="list"><ul>\n${rows}\n</ul></div>${pager}`), { 'Content-Type': 'text/html; charset=utf-8' });
  }

  postingHtml(p: FixturePosting): string {
    return this.frame(
      escapeHtml(p.title),
      `<div class="article"><h2>${escapeHtml(p.title)}</h2>
<div class="attr">发布时间：${p.date} &nbsp; 来源：${escapeHtml(p.source)} &nbsp; 点击：${p.views}</div>
<div class="article-content">${p.paragraphs.map((t) => `<p>${escapeHtml(t)}</p>`).join('\n')}</div></div>`,
    );
  }
}
