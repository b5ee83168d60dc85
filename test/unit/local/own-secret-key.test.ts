import { describe, expect, it } from 'vitest';
import { OperatorError } from '../../../local/data-dir';
import { startLocalRuntime, type LocalRuntime } from '../../../local/runtime';

// The key is refused before anything starts, so these runs start no DynamoDB Local.
describe("an operator's own VERITY_SECRET_KEY", () => {
  it.each(['sk_live_abc', `sk_test_${'a'.repeat(23)}`, `pk_test_${'a'.repeat(48)}`, `sk_test_${'a'.repeat(30)}!`])(
    'refuses %s with one line that says what a key must be',
    async (key) => {
      const failure = await startLocalRuntime({ secretKey: key }).catch((error: unknown) => error);
      // Had it started, it must not outlive the failing test.
      if (!(failure instanceof Error)) await (failure as LocalRuntime).stop();
      expect(failure).toBeInstanceOf(OperatorError);
      expect((failure as Error).message).toMatch(/at least 24 random letters and digits after the prefix/);
    },
  );
});
