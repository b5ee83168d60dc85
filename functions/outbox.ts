/**
 * What a change of a session writes: the session, and the Event objects the core says the change
 * emits (domain/events.ts), rendered as Stripe shows them. Storage writes both in one transaction.
 */
import { sessionEventTypes } from './domain/events';
import type { VerificationSession } from './domain/verification-session';
import type { SessionChange } from './store/sessions';
import { renderEvent, type EventRequest } from './wire/events';
import { newObjectId } from './wire/ids';

export interface ChangeOrigin {
  /** The API request that caused the change; null for changes nobody requested. */
  request: EventRequest;
  now: Date;
}

export function changeWithEvents(before: VerificationSession | null, after: VerificationSession, origin: ChangeOrigin): SessionChange {
  return {
    session: after,
    events: sessionEventTypes(before, after).map((type) =>
      renderEvent({
        id: newObjectId('evt', origin.now.getTime()),
        type,
        created: Math.floor(origin.now.getTime() / 1000),
        session: after,
        request: origin.request,
      }),
    ),
  };
}
