import { CronTime } from 'cron';

/** setTimeout's longest wait; a later date is reached in steps */
const LONGEST_WAIT_MS = 2 ** 31 - 1;

/**
 * One site's schedule, armed for its next date only. A CronJob re-arms itself at every date,
 * running or not, and each re-arming walks the schedule with luxon: with many sites on short
 * schedules whose runs outlast them, that is a steady cost for ticks that are skipped anyway
 * (bench/README.md, scale). Armed again when its run ends, the timer gives the same dates a
 * job that skips ticks during a run does: the first date after the run.
 */
export class SiteTimer {
  private readonly time: CronTime;
  private timer: NodeJS.Timeout | undefined;
  private at: Date | undefined;

  constructor(schedule: string, timezone: string) {
    this.time = new CronTime(schedule, timezone);
  }

  /** When it fires next, while armed. */
  get next(): Date | undefined {
    return this.at;
  }

  /** Fires `onDue` once, at the schedule's first date from now (given that date). */
  arm(onDue: (due: Date) => void): void {
    this.disarm();
    const at = this.time.sendAt().toJSDate();
    this.at = at;
    const wait = () => {
      const left = at.getTime() - Date.now();
      if (left > 0) {
        this.timer = setTimeout(wait, Math.min(left, LONGEST_WAIT_MS));
        return;
      }
      this.timer = undefined;
      this.at = undefined;
      onDue(at);
    };
    wait();
  }

  disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.at = undefined;
  }
}
