import { resourceMissing } from '../domain/errors';
import { renewCredentials } from '../domain/session-credentials';
import { changeSession, getSession } from '../store/sessions';
import { expandParam } from '../wire/expand';
import { stripeEndpoint } from './endpoint';
import { sessionResponse } from './session-response';
import { sessionIdFromPath } from './verification-session-params';

/**
 * A session waiting for input is answered with a usable `client_secret` and `url`: one that was
 * used or has expired is replaced first (one conditional write, only then). Only for a key that
 * may change sessions: a restricted key with `read` alone changes nothing, and is shown
 * `client_secret: null` and `url: null` (session-response.ts), as for a session not waiting for input.
 */
export const handler = stripeEndpoint({ expand: expandParam() }, async ({ params, scope, pathId, origin, access }) => {
  const id = sessionIdFromPath(pathId);
  const response = sessionResponse(scope, params.expand, { access });
  const stored = await getSession(scope, id);
  if (!stored) throw resourceMissing('verification_session', id);
  let session = stored.session;
  // The expansion is read before the renewal is written, so nothing that can fail is left after
  // it; renewing changes no report, so the read after it only happens when a racing write did.
  await response.load([session]);
  if (response.mayWrite && renewCredentials(session, origin.now) !== session) {
    const change = await changeSession(
      scope,
      id,
      (current) => {
        const renewed = renewCredentials(current, origin.now);
        return renewed === current ? null : { session: renewed, events: [] };
      },
      undefined,
      stored,
    );
    session = change.session;
  }
  await response.load([session]);
  return response.render(session);
});
