/**
 * Per-host politeness: at most `perHost` requests in flight to one host, and at least `delayMs`
 * between the end of one request and the start of the next.
 */
export class HostGate {
  private readonly hosts = new Map<string, { active: number; nextStart: number; waiting: (() => void)[] }>();

  constructor(
    readonly perHost: number,
    readonly delayMs: number,
  ) {}

  /**
   * A turn at `host`. One gate can serve several sites at once (a watcher's): each caller's limits
   * are held against the host's one count of requests in flight and its one next start time, so
   * two sites on one host together ask no faster than either alone.
   */
  async acquire(host: string, limits: { perHost: number; delayMs: number } = this): Promise<() => void> {
    const h = this.hosts.get(host) ?? { active: 0, nextStart: 0, waiting: [] };
    this.hosts.set(host, h);
    while (h.active >= limits.perHost) await new Promise<void>((r) => h.waiting.push(r));
    h.active++;
    // checked again on waking: the rule is kept by the clock it is written in, whatever a timer does
    for (let wait = h.nextStart - Date.now(); wait > 0; wait = h.nextStart - Date.now()) await new Promise((r) => setTimeout(r, wait));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      h.active--;
      h.nextStart = Math.max(h.nextStart, Date.now() + limits.delayMs);
      h.waiting.shift()?.();
    };
  }
}
