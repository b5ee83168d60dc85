import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // `npm run compat` runs these, each SDK against a Verity of its own (vitest.compat.config.ts).
    exclude: ['test/compat/**', '**/node_modules/**'],
    // One DynamoDB Local for the whole run; every test file works in accounts of its own.
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/environment.ts'],
    pool: 'forks',
    // Most files wait on DynamoDB Local, timers and child processes rather than on the CPU:
    // three files at a time finish sooner than one per spare core, even on 2 cores.
    maxWorkers: 3,
    // Timeouts catch a hang, not slowness: on a busy 2-core machine (two test runs at once, a
    // `cdk synth`) a test may take several times its idle time, and the stack suite's synthesis
    // (every function bundled) runs in its set-up.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Child processes: each test file kills what it spawned (test/support/processes.ts).
    teardownTimeout: 60_000,
  },
});
