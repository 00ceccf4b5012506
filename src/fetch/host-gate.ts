/**
 * Per-host politeness: at most `perHost` requests in flight to one host, and at least `delayMs`
 * between the end of one request and the start of the next.
 */
export class HostGate {
  private readonly hosts = new Map<string, { active: number; nextStart: number; waiting: (() => void)[] }>();

  constructor(
    private readonly perHost: number,
    private readonly delayMs: number,
  ) {}

  async acquire(host: string): Promise<() => void> {
    const h = this.hosts.get(host) ?? { active: 0, nextStart: 0, waiting: [] };
    this.hosts.set(host, h);
    while (h.active >= this.perHost) await new Promise<void>((r) => h.waiting.push(r));
    h.active++;
    const wait = h.nextStart - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      h.active--;
      h.nextStart = Math.max(h.nextStart, Date.now() + this.delayMs);
      h.waiting.shift()?.();
    };
  }
}
