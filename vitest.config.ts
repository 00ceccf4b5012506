import { defineConfig } from 'vitest/config';
import LongestFirst from './test/helpers/sequencer.js';

// Files with no team-mode twin: about SQLite's own file (a database server has no file to delete
// under a run, and its disk is its own), the demo (it keeps its catalogue in its own folder
// whatever the environment says), the watcher's worker threads (in team storage a watcher takes
// jobs from the team's queue instead), or team storage's own tests, which make their own databases.
const LOCAL_ONLY = ['test/cli/disk-full.test.ts', 'test/cli/demo.test.ts', 'test/cli/watch-workers.test.ts', 'test/cli/team-storage.test.ts', 'test/cli/migrate.test.ts', 'test/cli/team-watchers.test.ts'];

// Every other CLI file runs again with the catalogue in PostgreSQL and the files in the object
// store (test/helpers/catalogue.ts): the storage matrix. XJWATCH_TEST_TEAM=none leaves that half out.
const TEAM_HALF = process.env.XJWATCH_TEST_TEAM !== 'none';

export default defineConfig({
  test: {
    exclude: ['test/e2e/**', 'node_modules/**', 'dist/**'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // CLI tests run real crawls against real servers, and some files mostly wait (politeness
    // delays, timeouts): a third file in flight keeps the two cores busy (before the CLI was
    // bundled, the whole matrix's vitest took 891 s with three, about 1,030 s with two)
    maxWorkers: 3,
    // the longest files first, also in a fresh clone (test/helpers/sequencer.ts)
    sequence: { sequencer: LongestFirst },
    // a throwaway PostgreSQL on 127.0.0.1 for the team-mode half of the matrix (scripts/services.sh)
    globalSetup: ['test/helpers/global-services.ts'],
    projects: [
      { extends: true, test: { name: 'local', include: ['test/**/*.test.ts'] } },
      // CLI files again, every catalogue in PostgreSQL and its files in the object store (test/helpers/catalogue.ts)
      ...(TEAM_HALF
        ? [
            {
              extends: true as const,
              test: {
                name: 'team',
                include: ['test/cli/**/*.test.ts'],
                exclude: [...LOCAL_ONLY, 'node_modules/**', 'dist/**'],
                env: { XJWATCH_TEST_STORAGE: 'team' },
              },
            },
          ]
        : []),
    ],
  },
});
