import { describe, expect, it } from 'vitest';
import { probeVerdict, type ListProbeReading } from '../../src/detect/list-probe.js';

const list = 'http://www.example.gov.cn/xxgk/tzgg/index.htm';
const sample = { url: 'http://www.example.gov.cn/info/1011/5001.htm', status: 200, title: '关于开展职业技能培训的通知', published: '2019-03-21', text: '各乡（镇）人民政府…', textChars: 300 };
const healthy: ListProbeReading = { site: 'x', list, first: { url: list, status: 200, method: 'selector', postings: 15 }, next: { url: `${list}?p=2`, status: 200, method: 'selector', postings: 15 }, samples: [sample] };

describe('probeVerdict', () => {
  it('passes a list with postings on both pages and a sample with title, date and text', () => {
    expect(probeVerdict(healthy).verdict).toBe('pass');
  });

  it('calls timeouts, DNS failures, refusals, challenges and blocking statuses unreachable, never broken', () => {
    for (const error of [{ kind: 'timeout', message: 'timed out after 30 s' }, { kind: 'dns', message: 'ENOTFOUND' }, { kind: 'refused', message: 'ECONNREFUSED' }, { kind: 'challenge', message: 'not passed' }, { kind: 'http_5xx', message: 'HTTP 503' }]) {
      expect(probeVerdict({ ...healthy, first: { url: list, error, postings: 0 }, samples: [] }).verdict).toBe('unreachable');
    }
    expect(probeVerdict({ ...healthy, first: { url: list, status: 403, postings: 0 }, samples: [] })).toMatchObject({ verdict: 'unreachable', why: expect.stringContaining('HTTP 403') });
    expect(probeVerdict({ ...healthy, samples: [{ url: sample.url, error: { kind: 'timeout', message: 't' } }] }).verdict).toBe('unreachable');
  });

  it('fails a list page that is gone, yields nothing, or yields only through the URL-shape fallback', () => {
    expect(probeVerdict({ ...healthy, first: { url: list, status: 404, postings: 0 } })).toMatchObject({ verdict: 'fail', why: 'the list page: HTTP 404' });
    expect(probeVerdict({ ...healthy, first: { url: list, status: 200, method: 'selector', postings: 0 }, samples: [] })).toMatchObject({ verdict: 'fail', why: 'the list page yields no posting links' });
    const fb = probeVerdict({ ...healthy, first: { url: list, status: 200, method: 'url-shape', postings: 12, fallback: { from: 'selector', links: 'ul.x a' } } });
    expect(fb.verdict).toBe('fail');
    expect(fb.why).toContain('links: ul.x a matches nothing; 12 posting link(s) by their URL shape');
  });

  it('fails a sample without a title, a date or main text, naming what is missing', () => {
    expect(probeVerdict({ ...healthy, samples: [{ ...sample, published: undefined, textChars: 3 }] }).why).toContain('has no date, main text');
    expect(probeVerdict({ ...healthy, samples: [{ url: sample.url, status: 200, document: 'application/pdf', title: '附件' }] }).verdict).toBe('pass');
  });

  it('takes a pattern page 2 that answers 404 as a list of one page, and fails an empty page 2', () => {
    expect(probeVerdict({ ...healthy, next: { url: `${list}?p=2`, status: 404, postings: 0, generated: true } }).verdict).toBe('pass');
    expect(probeVerdict({ ...healthy, next: { url: `${list}?p=2`, status: 404, postings: 0 } }).verdict).toBe('fail');
    expect(probeVerdict({ ...healthy, next: { url: `${list}?p=2`, status: 200, method: 'selector', postings: 0 } }).verdict).toBe('fail');
  });
});
