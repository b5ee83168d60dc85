import type { VerificationSession } from '../domain/verification-session';
import { changeWithEvents } from '../outbox';
import { changeSession } from '../store/sessions';
import { expandParam, resolveExpand } from '../wire/expand';
import { renderVerificationSession, VERIFICATION_SESSION_EXPANDABLE } from '../wire/verification-session';
import { stripeEndpoint } from './endpoint';
import { sessionIdFromPath } from './verification-session-params';

/** An endpoint that applies one status transition of the core (cancel, redact) and takes only `expand[]`. */
export const sessionTransitionEndpoint = (transition: (session: VerificationSession) => VerificationSession) =>
  stripeEndpoint({ expand: expandParam() }, async ({ params, scope, pathId, origin, saveResponse }) => {
    const id = sessionIdFromPath(pathId);
    const expand = resolveExpand(params.expand, VERIFICATION_SESSION_EXPANDABLE);
    const render = (session: VerificationSession) => renderVerificationSession(session, expand);
    const session = await changeSession(
      scope,
      id,
      (current) => changeWithEvents(current, transition(current), origin),
      saveResponse && ((s) => saveResponse(render(s))),
    );
    return render(session);
  });
