import { NonRetryableError } from '@crawlee/core';
import { backoffWait, failureOf, handleAnswer, isPassedChallenge, type AnswerHandlerOptions } from './answer-handler.js';
import type { FailedFetch, FetchTask } from './fetch-task.js';
import type { RecordingHttpClient } from './http-client.js';

export interface KnownFetchOptions {
  client: RecordingHttpClient;
  /** fetches in flight at once (the host gate still decides when each may start) */
  concurrency: number;
  retries: number;
  backoffMs: number;
  stop?: AbortSignal;
  handler: AnswerHandlerOptions;
  onFailure: (failure: FailedFetch) => Promise<void> | void;
  /** false for a task this crawl has already asked for, either way (and from now on, true only once) */
  claim: (t: FetchTask) => boolean;
}

/**
 * Fetches URLs that need no discovery queue — known ones (rechecks, controls), and the postings and
 * attachments a list names: nothing is found on them that a queue must order or deduplicate beyond
 * `claim`, so Crawlee's queue, autoscaling and per-request validation would only cost time (about
 * 3 ms a request on loopback, and at 500 sites a sixth of the watcher's CPU: bench/README.md). The
 * same client records every exchange, the same host gate keeps the pace, and answers go through
 * the same handling (challenges, 5xx retries, rendering) as the crawl's. Tasks may be added while
 * it runs; `close` says no more will come and resolves when the last one is done.
 */
export class DirectFetches {
  private readonly queue: FetchTask[] = [];
  private workers = 0;
  private closed = false;
  private requests = 0;
  private failed = 0;
  private resolveDone!: (r: { requests: number; failed: number }) => void;
  private readonly done = new Promise<{ requests: number; failed: number }>((r) => (this.resolveDone = r));

  constructor(private readonly o: KnownFetchOptions) {}

  add(tasks: FetchTask[]): void {
    for (const t of tasks) if (this.o.claim(t)) this.queue.push(t);
    while (this.workers < Math.max(1, this.o.concurrency) && this.queue.length && !this.o.stop?.aborted) {
      this.workers++;
      void this.work();
    }
  }

  close(): Promise<{ requests: number; failed: number }> {
    this.closed = true;
    this.settle();
    return this.done;
  }

  private async work(): Promise<void> {
    try {
      for (let t = this.queue.shift(); t && !this.o.stop?.aborted; t = this.queue.shift()) {
        this.requests++;
        const outcome = await fetchOne(t, this.o);
        if (outcome === 'failed') this.failed++;
        else this.add(outcome);
      }
    } finally {
      this.workers--;
      this.settle();
    }
  }

  private settle(): void {
    if (this.closed && this.workers === 0 && (!this.queue.length || this.o.stop?.aborted)) this.resolveDone({ requests: this.requests, failed: this.failed });
  }
}

/** Fetches `tasks` and their follow-ups, with nothing else to come. */
export function fetchKnown(tasks: FetchTask[], o: KnownFetchOptions): Promise<{ requests: number; failed: number }> {
  const direct = new DirectFetches(o);
  direct.add(tasks);
  return direct.close();
}

async function fetchOne(t: FetchTask, o: KnownFetchOptions): Promise<FetchTask[] | 'failed'> {
  for (let failures = 0; ; ) {
    try {
      const answer = await o.client.fetchTask(t);
      if (o.stop?.aborted) return []; // answered after the run stopped: kept, nothing more made of it
      return await handleAnswer(t, answer, o.handler);
    } catch (err) {
      if (o.stop?.aborted) return [];
      if (isPassedChallenge(err)) continue; // a passed challenge is not a failed try
      const e = err instanceof Error ? err : new Error(String(err));
      failures++;
      if (e instanceof NonRetryableError || failures > o.retries) {
        await o.onFailure(failureOf(t, e, failures));
        return 'failed';
      }
      // a tripped site fails the next try at once anyway: no wait
      if (!o.client.tripped) await backoffWait(failures - 1, o.backoffMs);
    }
  }
}
