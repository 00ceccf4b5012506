import { totalmem } from 'node:os';
import { Configuration, EventManager } from '@crawlee/core';

/** Crawlee's events for one crawler, without the system-info sampling of its LocalEventManager. */
class QuietEvents extends EventManager {}

/**
 * A Crawlee configuration for a crawler of fixed concurrency (a site's perHost, the browser's four
 * pages): Crawlee's sampling of the machine steers nothing then, and its LocalEventManager samples
 * by spawning `ps -A` at the crawler's start and every second after (bench/scale: half the main
 * thread at 200 sites; 0.4 of a core at 500 from the starts alone). The base EventManager keeps
 * the crawler's own events and samples nothing; the machine's memory, given, spares the
 * snapshotter's `ps` at start. Storage is in memory, one per configuration: nothing to purge (a
 * purge reads ./storage on disk, and drops pages handed to a running crawler).
 */
export function crawlerConfiguration(): Configuration {
  const config = new Configuration({ persistStorage: false, purgeOnStart: false, memoryMbytes: Math.round(totalmem() / 1024 / 1024) });
  config.useEventManager(new QuietEvents(config));
  return config;
}
