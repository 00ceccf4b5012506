import { Configuration } from '@crawlee/core';
import { describe, expect, it } from 'vitest';
import { DEDUP_SLOTS, smallQueue } from '../../src/fetch/site-crawler.js';

// Crawlee gives each queue a million-slot dedup cache (16 MB); a site run must not. If an upgrade
// renames the cache, this fails rather than the watcher running out of heap at a few hundred sites.
describe('a site run’s request queue', () => {
  it('has a dedup cache of DEDUP_SLOTS slots, and still refuses a URL twice', async () => {
    const queue = await smallQueue(new Configuration({ persistStorage: false, purgeOnStart: false }));
    const cache = (queue as unknown as { requestSeenCache: { size: number; keys: unknown[]; ids: unknown[] } }).requestSeenCache;
    expect(cache.size).toBe(DEDUP_SLOTS);
    // made small from the start, not a million slots allocated and replaced
    expect(cache.constructor.name).toBe('SmallDedupCache');
    expect(cache.keys.length).toBe(DEDUP_SLOTS);
    expect(cache.ids.length).toBe(DEDUP_SLOTS);
    const first = await queue.addRequest({ url: 'http://127.0.0.1/a', uniqueKey: 'a' });
    const again = await queue.addRequest({ url: 'http://127.0.0.1/a', uniqueKey: 'a' });
    expect(first.wasAlreadyPresent).toBe(false);
    expect(again.wasAlreadyPresent).toBe(true);
    expect(await queue.getTotalCount()).toBe(1);
  });
});
