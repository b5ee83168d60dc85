import { inject } from 'vitest';
import { configureLocalEnvironment } from '../../local/runtime';

// Handler and store modules read their configuration from the environment, as in Lambda.
configureLocalEnvironment({
  dynamo: inject('dynamo'),
  tableName: inject('tableName'),
  signingSecret: 'test-signing-secret-that-is-long-enough-0123456789',
  publicUrl: 'http://verity.test',
  filesDir: inject('filesDir'),
  masterKeyFile: inject('masterKeyFile'),
});

// The suite drives its accounts far faster than Stripe's test-mode limit (25 requests a second),
// and counts each endpoint's DynamoDB calls: per-account rate limits are off here, and on (at
// limits of their own) in the files that test them.
process.env.VERITY_RATE_LIMIT_LIVE = 'off';
process.env.VERITY_RATE_LIMIT_TEST = 'off';
