import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files' durations in seconds as a fresh clone ran them on two cores (2026-12-04), by
 * `project:path`. vitest starts the longest files first only when its cache has their durations
 * (node_modules/.vite): a fresh clone has none and started by file size, so the 97 s outage file
 * and the 128 s browser file began last and ran on alone at the end. Only the order depends on
 * these figures; a file not listed, or one the cache has timed since, is ordered by the cache.
 */
const MEASURED: Record<string, number> = {
  'team:test/cli/evidence.test.ts': 169,
  'team:test/cli/browser.test.ts': 128,
  'team:test/cli/alerts.test.ts': 122,
  'local:test/cli/site-files.test.ts': 110,
  'local:test/cli/evidence.test.ts': 98,
  'local:test/cli/browser.test.ts': 98,
  'team:test/cli/outages.test.ts': 97,
  'local:test/cli/alerts.test.ts': 94,
  'team:test/cli/operator.test.ts': 81,
  'team:test/cli/detection.test.ts': 81,
  'local:test/cli/demo.test.ts': 77,
  'local:test/cli/team-storage.test.ts': 63,
  'team:test/cli/attachment-recheck.test.ts': 58,
  'local:test/cli/outages.test.ts': 57,
  'local:test/cli/detection.test.ts': 46,
  'team:test/cli/short-forms.test.ts': 41,
  'team:test/cli/serve.test.ts': 37,
  'team:test/cli/kill-anywhere.test.ts': 37,
  'local:test/cli/migrate.test.ts': 37,
  'team:test/cli/procurement.test.ts': 34,
  'local:test/cli/operator.test.ts': 34,
  'team:test/cli/prior.test.ts': 33,
  'team:test/cli/watch.test.ts': 32,
  'team:test/cli/verify-zip.test.ts': 32,
  'team:test/cli/adhoc.test.ts': 31,
  'local:test/cli/watch-workers.test.ts': 30,
  'team:test/cli/bad-input.test.ts': 28,
  'local:test/cli/bad-input.test.ts': 28,
  'local:test/cli/kill-anywhere.test.ts': 27,
  'team:test/cli/watch-list.test.ts': 26,
  'local:test/cli/team-watchers.test.ts': 26,
  'local:test/cli/families.test.ts': 25,
  'team:test/cli/writer-lock.test.ts': 24,
  'local:test/cli/verify-zip.test.ts': 24,
  'team:test/cli/replay.test.ts': 22,
  'team:test/cli/crash-safety.test.ts': 22,
  'local:test/cli/serve.test.ts': 21,
  'local:test/cli/proxy.test.ts': 21,
  'team:test/cli/broken-list.test.ts': 20,
  'local:test/cli/writer-lock.test.ts': 20,
  'local:test/cli/prior.test.ts': 20,
  'team:test/cli/pinned.test.ts': 19,
  'local:test/cli/proxy-browser.test.ts': 19,
  'local:test/cli/probe.test.ts': 19,
  'local:test/cli/attachment-recheck.test.ts': 19,
  'local:test/cli/replay.test.ts': 18,
  'local:test/cli/redirects.test.ts': 17,
  'local:test/cli/watch.test.ts': 16,
  'local:test/cli/fetch-behaviour.test.ts': 16,
  'local:test/cli/adhoc.test.ts': 16,
  'local:test/cli/short-forms.test.ts': 15,
};

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const seconds = (f: TestSpecification): number => {
      const key = `${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`;
      return (cache.getFileTestResults(key)?.duration ?? 0) / 1000 || MEASURED[key] || 0;
    };
    return [...files].sort((a, b) => seconds(b) - seconds(a));
  }
}
