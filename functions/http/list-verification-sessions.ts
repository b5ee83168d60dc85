import { SESSION_STATUSES } from '../domain/verification-session';
import { listSessions } from '../store/sessions';
import { checkCursors, listEnvelope, pageParams, pageQuery } from '../wire/lists';
import { oneOf, requiredString } from '../wire/schema';
import { stripeEndpoint } from './endpoint';
import { sessionResponse } from './session-response';

const LIST_URL = '/v1/identity/verification_sessions';

export const handler = stripeEndpoint(
  {
    ...pageParams(),
    status: oneOf(SESSION_STATUSES),
    client_reference_id: requiredString(),
    related_customer: requiredString(),
    related_customer_account: requiredString(),
  },
  async ({ params, scope, access }) => {
    checkCursors(params, 'vs', 'verification_session');
    const response = sessionResponse(scope, params.expand, { list: true, access });
    const { sessions, hasMore } = await listSessions(scope, {
      ...pageQuery(params),
      status: params.status,
      clientReferenceId: params.client_reference_id,
      relatedCustomer: params.related_customer,
      relatedCustomerAccount: params.related_customer_account,
    });
    await response.load(sessions);
    return listEnvelope(LIST_URL, sessions.map(response.render), hasMore);
  },
);
