import { defineConfig } from 'vitest/config';

/**
 * `npm run compat` (bin/compat.ts): the Node SDKs of several majors against one Verity each file
 * starts itself through `startVerity()`, as a business's own suite would; apart from `npm test`
 * so that the test command stays fast.
 */
export default defineConfig({
  test: {
    include: ['test/compat/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    // Timeouts catch a hang, not slowness (a busy 2-core machine starts a JVM slowly).
    testTimeout: 180_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
  },
});
