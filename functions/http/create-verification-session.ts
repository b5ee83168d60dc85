import { createVerificationSession, type VerificationSession } from '../domain/verification-session';
import { changeWithEvents } from '../outbox';
import { insertSession } from '../store/sessions';
import { expandParam, resolveExpand } from '../wire/expand';
import { newObjectId } from '../wire/ids';
import { metadata, object, string, url } from '../wire/schema';
import { renderVerificationSession, VERIFICATION_SESSION_EXPANDABLE } from '../wire/verification-session';
import { stripeEndpoint } from './endpoint';
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
  async ({ params, scope, origin, saveResponse }) => {
    const expand = resolveExpand(params.expand, VERIFICATION_SESSION_EXPANDABLE);
    const render = (session: VerificationSession) => renderVerificationSession(session, expand);
    const session = createVerificationSession(params, { id: newObjectId('vs', origin.now.getTime()), scope, now: origin.now });
    await insertSession(changeWithEvents(null, session, origin), saveResponse && ((s) => saveResponse(render(s))));
    return render(session);
  },
);
