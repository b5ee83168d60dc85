/** The Event object as Stripe's API shows it. */
import type { EventRequest, SessionEventType, StripeEvent } from '../domain/events';
import type { VerificationSession } from '../domain/verification-session';
import { API_VERSION, renderForVersion, servedVersion } from './api-versions';
import { renderVerificationSession } from './verification-session';

export type { EventRequest, StripeEvent };

export function renderEvent(event: {
  id: string;
  type: SessionEventType;
  created: number;
  session: VerificationSession;
  request: EventRequest;
}): StripeEvent {
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

/**
 * The event as a webhook endpoint receives it: `data.object` rendered in the endpoint's
 * `api_version` and `api_version` naming it, as Stripe renders an endpoint's events
 * (https://docs.stripe.com/webhooks#api-versions). An endpoint without one gets the event as
 * stored (`API_VERSION`, the newest Verity knows, as Stripe's account default would be); one of a
 * major newer than Verity knows gets that too (functions/wire/api-versions.ts).
 */
export function eventForEndpoint<E extends { api_version: string; data: unknown }>(event: E, endpointVersion: string | null): E {
  if (endpointVersion === null) return event;
  // A version accepted once always renders: one that a later Verity no longer reads as the
  // endpoint's owner meant (a newer major it now knows under other dates) gets the newest shapes.
  let version = API_VERSION;
  try {
    version = servedVersion(endpointVersion).version;
  } catch {}
  const data = event.data as { object: unknown };
  return { ...event, data: { ...data, object: renderForVersion(data.object, version) }, api_version: version };
}
