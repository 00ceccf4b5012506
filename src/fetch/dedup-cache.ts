/** Slots of a run's dedup cache: a site's lists name a few thousand URLs, not a million. */
export const DEDUP_SLOTS = 8192;

type CacheModule = { RequestDeduplicationCache?: new (size?: number) => object };

/**
 * Makes every later queue's dedup cache DEDUP_SLOTS slots from the start, by subclassing the
 * class in Crawlee's module (its queues look it up there at each construction). Replacing the
 * cache after the queue is made still allocates the million slots first: at 500 sites, 9 % of the
 * watcher's CPU went to filling arrays thrown away at once (bench/scale's profile). Called on the
 * module tsc's build loads (fetch/site-crawler.ts), or from inside the bundle (scripts/bundle.ts).
 * Returns false, changing nothing, when the class is not what Crawlee 3.18 has.
 */
export function sizeDedupCaches(mod: CacheModule): boolean {
  const Original = mod.RequestDeduplicationCache;
  if (typeof Original !== 'function' || Original.length > 1) return false;
  mod.RequestDeduplicationCache = class SmallDedupCache extends Original {
    constructor(size = DEDUP_SLOTS) {
      super(Math.min(size, DEDUP_SLOTS));
    }
  };
  return true;
}
