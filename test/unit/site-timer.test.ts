import { describe, expect, it } from 'vitest';
import { SiteTimer } from '../../src/schedule/site-timer.js';

describe("a site's schedule timer", () => {
  it('fires once at the next date of the schedule, and says when while armed', async () => {
    const timer = new SiteTimer('* * * * * *', 'Asia/Shanghai');
    const armedAt = Date.now();
    let fired = 0;
    const done = new Promise<number>((resolve) => timer.arm(() => resolve(++fired && Date.now())));
    const next = timer.next!.getTime();
    expect(next).toBeGreaterThan(armedAt);
    expect(next).toBeLessThanOrEqual(armedAt + 1000);
    expect(next % 1000).toBe(0);
    const at = await done;
    expect(at).toBeGreaterThanOrEqual(next);
    expect(timer.next).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1200));
    expect(fired).toBe(1); // not again until armed again (when the run ends)
  });

  it('never fires once disarmed', async () => {
    const timer = new SiteTimer('* * * * * *', 'UTC');
    let fired = false;
    timer.arm(() => (fired = true));
    timer.disarm();
    expect(timer.next).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1200));
    expect(fired).toBe(false);
  });

  it('keeps a date further away than setTimeout can wait (a yearly schedule)', () => {
    const timer = new SiteTimer('0 0 0 1 1 *', 'Asia/Shanghai');
    timer.arm(() => undefined);
    expect(timer.next!.getTime()).toBeGreaterThan(Date.now());
    timer.disarm();
  });
});
