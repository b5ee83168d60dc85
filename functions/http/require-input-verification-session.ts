/**
 * `POST /v1/test_helpers/identity/verification_sessions/:id/require_input`: the checks fail with
 * `last_error[code]` (`document_unverified_other` when left out).
 */
import { FAILURE_CODES } from '../domain/verification-checks';
import { object, oneOf } from '../wire/schema';
import { testHelperEndpoint } from './test-helper-endpoint';

export const handler = testHelperEndpoint(
  {
    kind: 'conclude',
    name: 'require_input',
    testCase: (params: { last_error?: { code?: (typeof FAILURE_CODES)[number] } }) =>
      params.last_error?.code ?? 'document_unverified_other',
  },
  { last_error: object({ code: oneOf(FAILURE_CODES) }) },
);
