import { defineConfig } from 'vitest/config';

// Files with no team-mode twin: about SQLite's own file (a database server has no file to delete
// under a run, and its disk is its own), the watcher's worker threads (in team storage a watcher
// takes jobs from the team's queue instead), or team storage's own tests, which name their databases.
const LOCAL_ONLY = ['test/cli/disk-full.test.ts', 'test/cli/demo.test.ts', 'test/cli/watch-workers.test.ts', 'test/cli/team-storage.test.ts', 'test/cli/migrate.test.ts', 'test/cli/team-watchers.test.ts'];

// The CLI files `npm test` runs again with the catalogue in PostgreSQL: detection (every check and
// event), the watcher (a kill -9 and its restart) and the web view (every read). The whole CLI
// suite in team mode adds 11 minutes on two cores, past the suite's 15-minute budget beside the
// local half; XJWATCH_TEST_TEAM=all runs all of it.
// team-storage.test.ts and migrate.test.ts, in the local project, test what only team mode has.
const TEAM_SUITE = [
  'detection', 'serve', 'watch', 'short-forms',
].map((f) => `test/cli/${f}.test.ts`);

export default defineConfig({
  test: {
    exclude: ['test/e2e/**', 'node_modules/**', 'dist/**'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // CLI tests run real crawls against real servers; two cores are shared with them
    maxWorkers: 2,
    // a throwaway PostgreSQL on 127.0.0.1 for the team-mode half of the matrix (scripts/services.sh)
    globalSetup: ['test/helpers/global-services.ts'],
    projects: [
      { extends: true, test: { name: 'local', include: ['test/**/*.test.ts'] } },
      // CLI files again, every catalogue in PostgreSQL (test/helpers/catalogue.ts)
      {
        extends: true,
        test: {
          name: 'team',
          include: process.env.XJWATCH_TEST_TEAM === 'all' ? ['test/cli/**/*.test.ts'] : TEAM_SUITE,
          exclude: [...LOCAL_ONLY, 'node_modules/**', 'dist/**'],
          env: { XJWATCH_TEST_STORAGE: 'team' },
        },
      },
    ],
  },
});
