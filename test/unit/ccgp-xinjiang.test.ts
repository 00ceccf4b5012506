import { describe, expect, it } from 'vitest';
import { readList, readPosting, request } from '../../crawlers/ccgp-xinjiang.js';

const BASE = 'https://www.ccgp-xinjiang.gov.cn';
const LIST = `${BASE}/portal/category?categoryCode=ZcyAnnouncement3001&districtCode=653100`;
const answer = (url: string, body: unknown) => ({ url, status: 200, contentType: 'application/json;charset=UTF-8', text: typeof body === 'string' ? body : JSON.stringify(body) });
const item = (id: string, ms: number) => ({ articleId: id, title: ` 公告${id} `, publishDate: ms, author: '采购人', districtName: '喀什地区' });

describe('crawlers/ccgp-xinjiang.ts', () => {
  it('asks for a list page with a POST of JSON in the order the notes give', () => {
    const now = new Date('2025-06-13T02:00:00Z');
    const r = request(`${LIST}&pageNo=3`, now)!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe(`${BASE}/portal/category`);
    expect(r.body).toBe(JSON.stringify({ pageNo: 3, pageSize: 15, categoryCode: 'ZcyAnnouncement3001', districtCode: ['653100'], _t: now.getTime() }));
    expect(r.headers!['Content-Type']).toMatch(/^application\/json/);
    expect(JSON.parse(request(LIST, now)!.body!).pageNo).toBe(1);
  });

  it('reads a notice from its detail JSON, the article id encoded; other URLs are plain GETs', () => {
    const r = request(`${BASE}/luban/detail?parentId=&articleId=${encodeURIComponent('a+b/c==')}`, new Date())!;
    expect(r).toMatchObject({ method: 'GET', url: `${BASE}/portal/detail?articleId=a%2Bb%2Fc%3D%3D` });
    expect(request(`${BASE}/`, new Date())).toBeUndefined();
    expect(request(`${BASE}/luban/detail?parentId=`, new Date())).toBeUndefined();
  });

  it('refuses a list URL without its category or district, or with a bad pageNo', () => {
    expect(() => request(`${BASE}/portal/category?categoryCode=ZcyAnnouncement3001`, new Date())).toThrow(/needs categoryCode and districtCode/);
    expect(() => request(`${LIST}&pageNo=0`, new Date())).toThrow(/pageNo must be a whole number/);
  });

  it('lists postings with their human URL, title and date on Beijing time, and the next page until the total', () => {
    // 2025-06-12T16:30Z is 00:30 on the 13th in Urumqi's official (Beijing) time
    const page1 = readList(answer(LIST, { success: true, result: { data: { total: 31, data: [item('x+1', Date.parse('2025-06-12T16:30:00Z')), item('x2', Date.parse('2025-06-12T15:59:00Z'))] } } }));
    expect(page1.postings).toEqual([
      { url: `${BASE}/luban/detail?parentId=&articleId=x%2B1`, title: '公告x+1', published: '2025-06-13' },
      { url: `${BASE}/luban/detail?parentId=&articleId=x2`, title: '公告x2', published: '2025-06-12' },
    ]);
    expect(page1.total).toBe(31);
    expect(page1.next).toBe(`${LIST}&pageNo=2`);
    const items = Array.from({ length: 1 }, (_, i) => item(`y${i}`, 0));
    expect(readList(answer(`${LIST}&pageNo=2`, { result: { data: { total: 31, data: items } } })).next).toBe(`${LIST}&pageNo=3`);
    const last = readList(answer(`${LIST}&pageNo=3`, { result: { data: { total: 31, data: items } } }));
    expect(last.next).toBeUndefined();
    expect(last.postings[0]!.published).toBeUndefined();
    // an empty page ends the list whatever the total says
    expect(readList(answer(`${LIST}&pageNo=2`, { result: { data: { total: 99, data: [] } } })).next).toBeUndefined();
  });

  it('takes an answer that is not the list API speaking for an error, never for an empty list', () => {
    expect(() => readList(answer(LIST, '<html><body>访问验证</body></html>'))).toThrow(/not JSON/);
    expect(() => readList(answer(LIST, { success: false, error: '系统繁忙' }))).toThrow(/no result.data.total.*系统繁忙/);
    expect(() => readList(answer(`${BASE}/other`, { result: { data: { total: 0, data: [] } } }))).toThrow(/not a list/);
  });

  it('reads a notice: content HTML, title, date; "not there" only when the API says so', () => {
    const url = `${BASE}/luban/detail?parentId=&articleId=x1`;
    expect(readPosting(answer(url, { success: true, result: { data: { title: '关于卫星工厂的公告', content: '<p>卫星工厂</p>', publishDate: Date.parse('2025-06-12T16:30:00Z') } } }))).toEqual({
      title: '关于卫星工厂的公告',
      html: '<p>卫星工厂</p>',
      published: '2025-06-13',
    });
    expect(readPosting(answer(url, { success: false, result: null, error: '文章不存在' }))).toEqual({ notFound: '文章不存在' });
    // the API failing is not the notice removed
    expect(() => readPosting(answer(url, { result: { data: null } }))).toThrow(/does not say it is gone \(no message\)/);
    expect(() => readPosting(answer(url, { success: false, error: '系统繁忙' }))).toThrow(/系统繁忙.*not read as a removal/);
    // an API that changed shape is not a removal
    expect(() => readPosting(answer(url, { success: true, result: { data: { title: 't', body: '<p>x</p>' } } }))).toThrow(/no result.data.content/);
    expect(() => readPosting(answer(url, '<html>waf</html>'))).toThrow(/not JSON/);
    expect(readPosting(answer(`${BASE}/`, '<html></html>'))).toBeUndefined();
  });
});
