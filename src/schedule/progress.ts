/** Counters the pass updates as it goes; the CLI turns them into a progress line. */
export class PassProgress {
  readonly sites = new Map<string, { lists: number; postingsQueued: number; postingsDone: number; attachmentsQueued: number; attachmentsDone: number; checksQueued: number; checksDone: number; failures: number }>();
  readonly startedAt = Date.now();

  private entry(site: string) {
    let e = this.sites.get(site);
    if (!e) {
      e = { lists: 0, postingsQueued: 0, postingsDone: 0, attachmentsQueued: 0, attachmentsDone: 0, checksQueued: 0, checksDone: 0, failures: 0 };
      this.sites.set(site, e);
    }
    return e;
  }

  list(site: string): void {
    this.entry(site).lists++;
  }
  postingQueued(site: string): void {
    this.entry(site).postingsQueued++;
  }
  postingDone(site: string): void {
    this.entry(site).postingsDone++;
  }
  attachmentQueued(site: string): void {
    this.entry(site).attachmentsQueued++;
  }
  attachmentDone(site: string): void {
    this.entry(site).attachmentsDone++;
  }
  checksQueued(site: string, n: number): void {
    this.entry(site).checksQueued += n;
  }
  checkDone(site: string): void {
    this.entry(site).checksDone++;
  }
  failure(site: string): void {
    this.entry(site).failures++;
  }

  line(): string {
    let lists = 0, pq = 0, pd = 0, aq = 0, ad = 0, cq = 0, cd = 0, f = 0;
    for (const e of this.sites.values()) {
      lists += e.lists;
      pq += e.postingsQueued;
      pd += e.postingsDone;
      aq += e.attachmentsQueued;
      ad += e.attachmentsDone;
      cq += e.checksQueued;
      cd += e.checksDone;
      f += e.failures;
    }
    const secs = ((Date.now() - this.startedAt) / 1000).toFixed(0);
    return `[${secs}s] ${this.sites.size} site(s) · list pages ${lists} · new postings ${pd}/${pq} · attachments ${ad}/${aq}${cq ? ` · rechecks ${cd}/${cq}` : ''} · failed fetches ${f}`;
  }
}
