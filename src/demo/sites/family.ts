import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { makeCorpus, type FixtureAttachment, type FixturePosting } from './corpus.js';
import { FixtureSite, type Req } from './site.js';

/** One list a family imitation serves: on a host (or any host: '*'), at a path, with postings of its own. */
export interface FamilyList {
  host: string;
  /** scheme and host the list's URLs are given with */
  origin: string;
  path: string;
  /** the list's number on this site: seeds its corpus, names its column where the family has one */
  n: number;
  ids: Set<number>;
}

export interface FamilyOptions {
  /** postings per list page: small, so that a pass of a real site file stays short at 3 s a request */
  perPage?: number;
  /** postings per list */
  perList?: number;
  firstId: number;
  county: string;
  newest: string;
}

/**
 * An imitation of a CMS family that serves the family's URL shapes on any host and under any list
 * path it is given (`addList`): a real host's site file is checked against it unchanged through a
 * test proxy (test/cli/site-files.test.ts). Without `addList` it serves one default list on any
 * host, as the other fixture sites do. Every list's first posting carries an attachment where the
 * family has attachments, so that each list shows how the family links them.
 */
export abstract class FamilySite extends FixtureSite {
  readonly perPage: number;
  readonly perList: number;
  private readonly lists = new Map<string, FamilyList>();
  private readonly listOfId = new Map<number, FamilyList>();
  private nextId: number;
  /** the family has attachments (false: none is known for it, so none is imitated) */
  protected readonly attachments: boolean = true;
  /** which bundled file each list's first posting links */
  protected readonly attachmentKind: FixtureAttachment['kind'] = 'pdf';

  constructor(private readonly o: FamilyOptions) {
    super();
    this.perPage = o.perPage ?? 2;
    this.perList = o.perList ?? 5;
    this.nextId = o.firstId;
  }

  /** the path of the list served when no list was added */
  protected abstract defaultListPath(): string;
  /** the path of a posting of list `l` */
  protected abstract postingPath(l: FamilyList, p: FixturePosting): string;

  /** Serves a list at this URL's path (on its host only), with postings of its own. */
  addList(url: string): FamilyList {
    const u = new URL(url);
    return this.register(u.hostname.toLowerCase(), u.origin, u.pathname + u.search);
  }

  private register(host: string, origin: string, path: string): FamilyList {
    const key = `${host}${path}`;
    const existing = this.lists.get(key);
    if (existing) return existing;
    const l: FamilyList = { host, origin, path, n: this.lists.size + 1, ids: new Set() };
    const posts = makeCorpus({ seed: this.o.firstId + l.n * 7919, count: this.perList, firstId: this.nextId, county: this.o.county, newest: this.o.newest, termShare: 0.5, attachmentShare: 0 });
    this.nextId += this.perList;
    if (this.attachments) posts[0]!.attachments = [{ name: `${posts[0]!.title.replace(/^关于/, '').slice(0, 12)}.${this.attachmentKind}`, kind: this.attachmentKind }];
    for (const p of posts) {
      l.ids.add(p.id);
      this.listOfId.set(p.id, l);
    }
    this.postings.push(...posts);
    this.postings.sort((a, b) => b.date.localeCompare(a.date) || b.id - a.id);
    this.lists.set(key, l);
    return l;
  }

  /** the list served on any host (its URLs are given on `base`) */
  private defaultList(): FamilyList {
    return this.register('*', '', this.defaultListPath());
  }

  listUrl(): string {
    return `${this.base}${this.defaultList().path}`;
  }

  /** how a site file follows this family's numbered list pages (none: by the 下一页 link only) */
  protected listPattern(): { pattern: string; start: number } | undefined {
    return undefined;
  }

  override siteFileExtras(): string {
    const p = this.listPattern();
    return ['lists:', `  - url: ${this.listUrl()}`, ...(p ? [`    pattern: "${p.pattern}"`, `    start: ${p.start}`] : [])].join('\n');
  }

  postingUrl(p: FixturePosting): string {
    const l = this.listOf(p);
    return `${l.host === '*' ? this.base : l.origin}${this.postingPath(l, p)}`;
  }

  listOf(p: FixturePosting): FamilyList {
    const l = this.listOfId.get(p.id);
    if (!l) throw new Error(`posting ${p.id} is on no list of ${this.name}`);
    return l;
  }

  /** the list at this path on the request's host (or the default list, on any host) */
  protected listAt(req: Req, pathAndQuery: string): FamilyList | undefined {
    this.defaultList();
    return this.lists.get(`${hostOf(req)}${pathAndQuery}`) ?? this.lists.get(`*${pathAndQuery}`);
  }

  /** every list served on the request's host, the default list included */
  protected listsOn(req: Req): FamilyList[] {
    this.defaultList();
    return [...this.lists.values()].filter((l) => l.host === '*' || l.host === hostOf(req));
  }

  /** The list's postings still listed, newest first. */
  protected listedOn(l: FamilyList): FixturePosting[] {
    return this.listed().filter((p) => l.ids.has(p.id));
  }

  protected pageCount(l: FamilyList): number {
    return Math.max(1, Math.ceil(this.listedOn(l).length / this.perPage));
  }

  protected pageItems(l: FamilyList, page: number): FixturePosting[] {
    return this.listedOn(l).slice((page - 1) * this.perPage, page * this.perPage);
  }

  /** A posting by id, if it belongs to a list on the request's host. */
  protected postingOn(req: Req, id: number): FixturePosting | undefined {
    const p = this.posting(id);
    const l = p ? this.listOfId.get(p.id) : undefined;
    return l && (l.host === '*' || l.host === hostOf(req)) ? p : undefined;
  }

  abstract override handle(req: Req, res: ServerResponse): void;
}

export function hostOf(req: Req): string {
  return String(req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
}

/** The 32 hex digits some platforms name a posting's page with: stable for an id. */
export function hex32(id: number): string {
  return createHash('md5').update(`posting-${id}`).digest('hex');
}

/** "dir/" of "/dir/list.htm" */
export function dirOf(path: string): string {
  return path.replace(/[^/]*$/, '');
}
