import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take minutes, longest first (measured on a 2-core machine). A fresh clone has no
 * vitest cache of durations, so vitest would order files by size and start these late: the run
 * would end with one worker busy on one of them and the others idle.
 */
const LONGEST = [
  'test/e2e/package.test.ts',
  'test/infra/stack.test.ts',
  'test/e2e/start-command.test.ts',
  'test/e2e/webhooks.test.ts',
  'test/e2e/keys-console-link.test.ts',
];

/** vitest's own order (the last run's durations, else the largest files first), with LONGEST started first. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const at = LONGEST.findIndex((path) => file.moduleId.endsWith(`/${path}`));
      return at < 0 ? LONGEST.length : at;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // `npm run compat` runs these, each SDK against a Verity of its own (vitest.compat.config.ts).
    exclude: ['test/compat/**', '**/node_modules/**'],
    // One DynamoDB Local for the whole run; every test file works in accounts of its own.
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/environment.ts'],
    pool: 'forks',
    sequence: { sequencer: LongestFirst },
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
