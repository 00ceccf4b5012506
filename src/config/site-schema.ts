import { z } from 'zod';
import { siteProxyProblem } from './proxy-setting.js';

export const httpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an absolute http:// or https:// URL');

/** "/regex/flags" is a regular expression on the link's URL; anything else a CSS selector. */
export const linkMatcher = z.string().min(1).refine((s) => {
  const m = /^\/(.+)\/([a-z]*)$/s.exec(s);
  if (!m) return true;
  try {
    new RegExp(m[1]!, m[2]);
    return true;
  } catch {
    return false;
  }
}, 'is not a valid /regular expression/');

const regex = z.string().min(1).refine((s) => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}, 'is not a valid regular expression');

/** a host name, `*.suffix` or `*`; no scheme, port or path, so that what matches is plain */
const hostPattern = z
  .string()
  .regex(/^(?:\*|(?:\*\.)?[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?|[0-9a-f:]+)$/i, 'must be a host name such as www.example.cn, *.gov.cn or * (no scheme, port or path)');

export const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'is not a known IANA time zone (e.g. Asia/Shanghai)');

export const listSchema = z.strictObject({
  url: httpUrl,
  /** CSS selector of the "next page" link; default: links whose text is 下一页/下页/next */
  next: z.string().min(1).optional(),
  /** numbered pages, e.g. "index_{n}.html", resolved against url */
  pattern: z.string().includes('{n}', { message: 'must contain {n}' }).optional(),
  /** first number that `pattern` takes (TRS: 1, JEECMS: 2) */
  start: z.number().int().min(0).default(1),
  maxPages: z.number().int().min(1).max(10000).optional(),
  /** which links on the list page are postings: CSS selector or /regex/ on the URL */
  links: linkMatcher.optional(),
});

/** a site's id, also a watch list's name: what `crawl <id>` is typed as */
export const siteId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be lower-case letters, digits, - or _ (at most 64)');

export const siteSchema = z.strictObject({
  id: siteId,
  name: z.string().min(1),
  home: httpUrl,
  timezone: timezone.default('Asia/Shanghai'),
  schedule: z.string().min(1).default('0 */6 * * *'),
  fetch: z.enum(['http', 'browser', 'auto']).default('auto'),
  encoding: z.enum(['auto', 'utf-8', 'gbk', 'gb2312', 'gb18030', 'big5']).default('auto'),
  rate: z
    .strictObject({
      perHost: z.number().int().min(1).max(16).default(1),
      delayMs: z.number().int().min(0).max(600_000).optional(),
    })
    .default({ perHost: 1 }),
  retries: z
    .strictObject({
      count: z.number().int().min(0).max(10).default(3),
      backoffMs: z.number().int().min(0).max(600_000).default(2000),
      /** failed requests in a row after which the site is not asked again in this pass */
      breakAfter: z.number().int().min(1).max(10_000).default(10),
    })
    .default({ count: 3, backoffMs: 2000, breakAfter: 10 }),
  timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  /** screenshots and PDF prints of new postings with hits, changed and deleted pages */
  screenshots: z.boolean().default(true),
  /** how long the browser waits for a JavaScript challenge to clear */
  challengeTimeoutMs: z.number().int().min(500).max(600_000).default(30_000),
  maxBodyMB: z.number().positive().max(1024).default(10),
  maxAttachmentMB: z.number().positive().max(1024).default(50),
  userAgent: z.string().min(1).optional(),
  /** postings are the links whose URL matches this (alternative to lists[].links) */
  follow: regex.optional(),
  /**
   * The site's own code, crawlers/<code>.ts (compiled with the package), for what YAML cannot
   * describe: a JSON API's lists and postings (config/site-code.ts says what it may export)
   */
  code: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must name a file crawlers/<name>.ts: lower-case letters, digits, - or _').optional(),
  /** may be empty for a site watched only for its `pinned` pages (one a watch list names) */
  lists: z.array(listSchema).default([]),
  article: z
    .strictObject({
      title: z.string().min(1).optional(),
      date: z.string().min(1).optional(),
      body: z.string().min(1).optional(),
      attachments: z.string().min(1).optional(),
    })
    .default({}),
  /** what is not content: elements left out of the text, and text ignored when comparing */
  ignore: z
    .strictObject({
      selectors: z.array(z.string().min(1)).default([]),
      patterns: z.array(regex).default([]),
    })
    .default({ selectors: [], patterns: [] }),
  /**
   * How this site is reached: `none` (direct, whatever XJWATCH_PROXY says), `env:XJWATCH_PROXY_<NAME>`
   * (the proxy URL, login included, from that variable) or a proxy URL without a login; absent:
   * XJWATCH_PROXY, else direct (config/proxy-setting.ts).
   */
  proxy: z
    .string()
    .min(1)
    .superRefine((v, ctx) => {
      const problem = siteProxyProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  /** fixed addresses for host names, like curl --resolve: a site mirrored at a known IP, a test */
  resolve: z.record(z.string().min(1), z.string().regex(/^[0-9.]+$|^[0-9a-f:]+$/i, 'must be an IP address')).default({}),
  /**
   * Other hosts a redirect may go to: `www.example.cn`, `*.gov.cn` (any host under gov.cn) or `*`.
   * A redirect within the site (its hosts, their subdomains and parent domain, http or https) is
   * always followed; one to another host is refused and recorded unless listed here.
   */
  redirects: z
    .strictObject({
      hosts: z.array(hostPattern).default([]),
    })
    .default({ hosts: [] }),
  tags: z.array(z.string()).default([]),
  /**
   * Pages researchers cite, watched whether or not a list links them: captured on the next run if
   * never captured, then rechecked every `revisit.pinnedHours`.
   */
  pinned: z.array(httpUrl).max(10_000).default([]),
}).superRefine((site, ctx) => {
  if (site.lists.length === 0 && site.pinned.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['lists'], message: 'needs at least one list page (or pinned: pages, for a site watched only for those)' });
  }
  // a rendered page would stand in for the API's answer that the code reads
  if (site.code && site.fetch === 'browser') {
    ctx.addIssue({ code: 'custom', path: ['fetch'], message: 'cannot be browser for a site with code: (its answers are an API\'s, read by the code as they come; use http or auto)' });
  }
});

export type SiteFile = z.infer<typeof siteSchema>;
export type ListSpec = z.infer<typeof listSchema>;
