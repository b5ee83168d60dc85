/** `POST /v1/test_helpers/identity/verification_sessions/:id/process` */
import { testHelperEndpoint } from './test-helper-endpoint';

export const handler = testHelperEndpoint({ kind: 'process' }, {});
