import { refuseUncheckableIdNumber } from '../checks/availability';
import { updateVerificationSession } from '../domain/verification-session';
import { changeWithEvents } from '../flows/outbox';
import { changeSession, getSession } from '../store/sessions';
import { expandParam } from '../wire/expand';
import { metadata } from '../wire/schema';
import { stripeEndpoint } from './endpoint';
import { sessionResponse } from './session-response';
import { providedDetails, sessionIdFromPath, sessionOptions, sessionType } from './verification-session-params';

export const handler = stripeEndpoint(
  {
    type: sessionType(),
    metadata: metadata(),
    options: sessionOptions(),
    provided_details: providedDetails(),
    expand: expandParam(),
  },
  async ({ params, scope, pathId, origin, saveResponse, access }) => {
    const id = sessionIdFromPath(pathId);
    const response = sessionResponse(scope, params.expand, { access });
    const stored = await getSession(scope, id);
    await response.load(stored ? [stored.session] : []);
    const change = await changeSession(
      scope,
      id,
      (current, now) => {
        const updated = updateVerificationSession(current, params);
        // Only a change of what is asked for is refused: a metadata update leaves the checks as they were.
        if (params.type !== undefined || params.options !== undefined) refuseUncheckableIdNumber(updated);
        return changeWithEvents(current, updated, { ...origin, now });
      },
      saveResponse?.(response.renderChange),
      stored,
    );
    return response.renderChange(change);
  },
);
