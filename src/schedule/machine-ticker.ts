import type { Settings } from '../config/settings.js';
import type { OperatorEvent, XjEvent } from '../detect/events.js';
import { Catalogue } from '../store/catalogue.js';
import { openDb } from '../store/db.js';
import { checkMachine } from './operator-machine.js';

export interface MachineTickerOptions {
  dataDir: string;
  settings: Settings;
  emit: (event: XjEvent) => void;
  log: (line: string) => void;
  arm: (target: { catalogue: Catalogue }) => void;
  deliver: () => Promise<void>;
}

/**
 * The watcher's own work beside the runs: the outbox every `outboxSeconds` (send what is due,
 * then look at the disk and the outbox; what that raises or clears is sent at once rather than a
 * period later), and one delivery at a time. Whichever thread keeps the writer lock runs it.
 */
export class MachineTicker {
  private timer: NodeJS.Timeout | undefined;
  private delivering: Promise<void> | undefined;
  private ticking: Promise<void> | undefined;
  private checkFailure: string | undefined;
  private stopped = false;

  constructor(private readonly opts: MachineTickerOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.opts.settings.watch.outboxSeconds * 1000);
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private tick(): Promise<void> {
    this.ticking ??= (async () => {
      await this.deliver();
      if (this.stopped) return;
      if (this.checkMachine().length) await this.deliver();
    })().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  /** The operator's machine checks, on a connection of their own (no run is open for them). */
  private checkMachine(): OperatorEvent[] {
    let events: OperatorEvent[] = [];
    try {
      const catalogue = new Catalogue(openDb(this.opts.dataDir));
      try {
        this.opts.arm({ catalogue });
        events = checkMachine(catalogue, this.opts.dataDir, this.opts.settings.operator);
      } finally {
        catalogue.db.close();
      }
      this.checkFailure = undefined;
    } catch (e) {
      // a full disk refuses these writes too: said once, not every period until it is fixed
      const said = `operator checks: ${(e as Error).message}`;
      if (said !== this.checkFailure) this.opts.log(said);
      this.checkFailure = said;
    }
    for (const e of events) this.opts.emit(e);
    return events;
  }

  /** One delivery at a time; its trouble is logged, never thrown (the next try is on its backoff). */
  deliver(): Promise<void> {
    this.delivering ??= this.opts
      .deliver()
      .catch((e) => this.opts.log(`mail: ${(e as Error).message}`))
      .finally(() => (this.delivering = undefined));
    return this.delivering;
  }
}
