import { applySessionTransition, type SessionTransition } from '../flows/session-actions';
import { getSession } from '../store/sessions';
import { expandParam } from '../wire/expand';
import { stripeEndpoint } from './endpoint';
import { sessionResponse } from './session-response';
import { sessionIdFromPath } from './verification-session-params';

/** An endpoint that applies one status transition of the core (cancel, redact) and takes only `expand[]`. */
export const sessionTransitionEndpoint = (transition: SessionTransition) =>
  stripeEndpoint({ expand: expandParam() }, async ({ params, scope, pathId, origin, saveResponse, access }) => {
    const id = sessionIdFromPath(pathId);
    const response = sessionResponse(scope, params.expand, { access });
    const stored = await getSession(scope, id);
    await response.load(stored ? [stored.session] : []);
    const change = await applySessionTransition(scope, id, transition, origin, saveResponse?.(response.renderChange), stored);
    return response.renderChange(change);
  });
