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
 * Fetches URLs already known (rechecks and their controls) without a discovery queue: nothing is
 * found on them but their own answer, so Crawlee's queue, autoscaling and per-request validation
 * would only cost time (about 3 ms a request: bench/README.md). The same client records every
 * exchange, the same host gate keeps the pace, and answers go through the same handling
 * (challenges, 5xx retries, rendering) as the crawl's.
 */
export async function fetchKnown(tasks: FetchTask[], o: KnownFetchOptions): Promise<{ requests: number; failed: number }> {
  const queue = tasks.filter((t) => o.claim(t));
  let requests = 0;
  let failed = 0;
  const worker = async () => {
    for (let t = queue.shift(); t && !o.stop?.aborted; t = queue.shift()) {
      requests++;
      const outcome = await fetchOne(t, o);
      if (outcome === 'failed') failed++;
      else for (const f of outcome) if (o.claim(f)) queue.push(f);
    }
  };
  // a follow-up pushed as the other workers ran out of work is picked up by the next round
  while (queue.length && !o.stop?.aborted) await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  return { requests, failed };
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
