import { refuseUncheckableIdNumber } from '../checks/availability';
import { createVerificationSession } from '../domain/verification-session';
import { changeWithEvents } from '../flows/outbox';
import { insertSession } from '../store/sessions';
import { expandParam } from '../wire/expand';
import { newObjectId } from '../domain/ids';
import { metadata, object, string, url } from '../wire/schema';
import { stripeEndpoint } from './endpoint';
import { sessionResponse } from './session-response';
import { providedDetails, sessionOptions, sessionType } from './verification-session-params';

export const handler = stripeEndpoint(
  {
    type: sessionType(),
    verification_flow: string(),
    client_reference_id: string(),
    metadata: metadata(),
    options: sessionOptions(),
    provided_details: providedDetails(),
    related_customer: string(),
    related_customer_account: string(),
    related_person: object({ account: string(), person: string() }),
    return_url: url(),
    expand: expandParam(),
  },
  async ({ params, scope, origin, saveResponse, access }) => {
    const response = sessionResponse(scope, params.expand, { access });
    const session = createVerificationSession(params, { id: newObjectId('vs', origin.now.getTime()), scope, now: origin.now });
    refuseUncheckableIdNumber(session);
    const change = changeWithEvents(null, session, origin);
    await insertSession(change, saveResponse?.(response.renderChange));
    return response.renderChange(change);
  },
);
