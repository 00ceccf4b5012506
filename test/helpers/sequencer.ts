import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files' durations in seconds as the whole matrix ran them on two cores (2026-12-04, the CLI
 * bundled), by `project:path`, for the files of 15 s or more. vitest starts the longest files
 * first only when its cache has their durations (node_modules/.vite): a fresh clone has none and
 * started by file size, so the 97 s outage file and the 128 s browser file began last and ran on
 * alone at the end. Only the order depends on
 * these figures; a file not listed, or one the cache has timed since, is ordered by the cache.
 */
const MEASURED: Record<string, number> = {
  'team:test/cli/site-files.test.ts': 111,
  'local:test/cli/site-files.test.ts': 109,
  'team:test/cli/alerts.test.ts': 102,
  'team:test/cli/evidence.test.ts': 90,
  'local:test/cli/alerts.test.ts': 89,
  'local:test/cli/evidence.test.ts': 84,
  'team:test/cli/browser.test.ts': 81,
  'local:test/cli/browser.test.ts': 79,
  'local:test/cli/demo.test.ts': 65,
  'team:test/cli/outages.test.ts': 63,
  'team:test/cli/operator.test.ts': 62,
  'team:test/cli/detection.test.ts': 54,
  'local:test/cli/outages.test.ts': 43,
  'team:test/cli/attachment-recheck.test.ts': 41,
  'local:test/cli/team-storage.test.ts': 37,
  'team:test/cli/short-forms.test.ts': 35,
  'local:test/cli/detection.test.ts': 34,
  'team:test/cli/redirects.test.ts': 34,
  'team:test/cli/kill-anywhere.test.ts': 34,
  'local:test/cli/operator.test.ts': 31,
  'team:test/cli/crawl-fixtures.test.ts': 31,
  'team:test/cli/proxy.test.ts': 30,
  'team:test/cli/probe.test.ts': 30,
  'team:test/cli/families.test.ts': 30,
  'local:test/cli/watch-workers.test.ts': 29,
  'team:test/cli/serve.test.ts': 29,
  'team:test/cli/procurement.test.ts': 27,
  'team:test/cli/prior.test.ts': 27,
  'team:test/cli/verify-zip.test.ts': 27,
  'team:test/cli/adhoc.test.ts': 27,
  'team:test/cli/proxy-browser.test.ts': 24,
  'team:test/cli/writer-lock.test.ts': 24,
  'local:test/cli/serve.test.ts': 23,
  'local:test/cli/team-watchers.test.ts': 23,
  'team:test/cli/watch.test.ts': 23,
  'local:test/cli/kill-anywhere.test.ts': 22,
  'local:test/cli/attachment-recheck.test.ts': 21,
  'team:test/cli/watch-list.test.ts': 21,
  'local:test/cli/probe.test.ts': 20,
  'local:test/cli/migrate.test.ts': 20,
  'local:test/cli/writer-lock.test.ts': 20,
  'team:test/cli/bad-input.test.ts': 20,
  'local:test/cli/verify-zip.test.ts': 19,
  'team:test/cli/fetch-behaviour.test.ts': 19,
  'team:test/cli/crash-safety.test.ts': 19,
  'local:test/cli/crawl-fixtures.test.ts': 18,
  'local:test/cli/bad-input.test.ts': 18,
  'local:test/cli/families.test.ts': 18,
  'local:test/cli/proxy.test.ts': 16,
  'local:test/cli/replay.test.ts': 16,
  'local:test/cli/fetch-behaviour.test.ts': 16,
  'team:test/cli/replay.test.ts': 16,
  'local:test/cli/prior.test.ts': 15,
  'local:test/cli/proxy-browser.test.ts': 15,
  'local:test/cli/crash-safety.test.ts': 15,
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
