import { updateVerificationSession, type VerificationSession } from '../domain/verification-session';
import { changeWithEvents } from '../outbox';
import { changeSession } from '../store/sessions';
import { expandParam, resolveExpand } from '../wire/expand';
import { metadata } from '../wire/schema';
import { renderVerificationSession, VERIFICATION_SESSION_EXPANDABLE } from '../wire/verification-session';
import { stripeEndpoint } from './endpoint';
import { providedDetails, sessionIdFromPath, sessionOptions, sessionType } from './verification-session-params';

export const handler = stripeEndpoint(
  {
    type: sessionType(),
    metadata: metadata(),
    options: sessionOptions(),
    provided_details: providedDetails(),
    expand: expandParam(),
  },
  async ({ params, scope, pathId, origin, saveResponse }) => {
    const id = sessionIdFromPath(pathId);
    const expand = resolveExpand(params.expand, VERIFICATION_SESSION_EXPANDABLE);
    const render = (session: VerificationSession) => renderVerificationSession(session, expand);
    const session = await changeSession(
      scope,
      id,
      (current) => changeWithEvents(current, updateVerificationSession(current, params), origin),
      saveResponse && ((s) => saveResponse(render(s))),
    );
    return render(session);
  },
);
