/** The Event object as Stripe's API shows it. */
import type { SessionEventType } from '../domain/events';
import type { VerificationSession } from '../domain/verification-session';
import { renderVerificationSession } from './verification-session';

/** The Stripe API version whose object shapes Verity renders. */
export const API_VERSION = '2026-10-28.endive';

/** What caused a change: the request and its idempotency key, or null for changes nobody requested. */
export type EventRequest = { id: string | null; idempotency_key: string | null } | null;

export type StripeEvent = ReturnType<typeof renderEvent>;

export function renderEvent(event: {
  id: string;
  type: SessionEventType;
  created: number;
  session: VerificationSession;
  request: EventRequest;
}) {
  return {
    id: event.id,
    object: 'event' as const,
    // The Verity account the session belongs to, so subscribers on a shared bus can tell tenants apart.
    account: event.session.account,
    api_version: API_VERSION,
    created: event.created,
    // The session right after the change, without includable fields, and without the
    // client_secret and url: events are stored and forwarded, secrets must not be.
    data: { object: { ...renderVerificationSession(event.session, new Set()), client_secret: null, url: null } },
    livemode: event.session.mode === 'live',
    pending_webhooks: 0,
    request: event.request,
    type: event.type,
  };
}
