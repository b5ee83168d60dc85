import { inject } from 'vitest';
import { configureLocalEnvironment } from '../../local/runtime';

// Handler and store modules read their configuration from the environment, as in Lambda.
configureLocalEnvironment({
  dynamoEndpoint: inject('dynamoEndpoint'),
  tableName: inject('tableName'),
  signingSecret: 'test-signing-secret-that-is-long-enough-0123456789',
  publicUrl: 'http://verity.test',
});
