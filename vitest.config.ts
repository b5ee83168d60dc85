import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local for the whole run; every test file works in accounts of its own.
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/environment.ts'],
    pool: 'forks',
    // Most files wait on DynamoDB Local, timers and child processes rather than on the CPU:
    // three files at a time finish sooner than one per spare core, even on 2 cores.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
