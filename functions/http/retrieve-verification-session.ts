import { resourceMissing } from '../domain/errors';
import { getSession } from '../store/sessions';
import { expandParam, resolveExpand } from '../wire/expand';
import { renderVerificationSession, VERIFICATION_SESSION_EXPANDABLE } from '../wire/verification-session';
import { stripeEndpoint } from './endpoint';
import { sessionIdFromPath } from './verification-session-params';

export const handler = stripeEndpoint({ expand: expandParam() }, async ({ params, scope, pathId }) => {
  const id = sessionIdFromPath(pathId);
  const expand = resolveExpand(params.expand, VERIFICATION_SESSION_EXPANDABLE);
  const stored = await getSession(scope, id);
  if (!stored) throw resourceMissing('verification_session', id);
  return renderVerificationSession(stored.session, expand);
});
