import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

// The system Chromium (Debian's `chromium`), never a downloaded one; XJWATCH_CHROMIUM overrides.
const executablePath = process.env.XJWATCH_CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  workers: 1,
  reporter: [['list']],
  use: {
    headless: true,
    launchOptions: {
      executablePath,
      // as root in a container Chromium needs these; the rest keep it off the network
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});
