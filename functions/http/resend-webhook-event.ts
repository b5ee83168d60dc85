/**
 * `POST /v1/verity/webhook_endpoints/{id}/resend` with `event=evt_…`: sends one event to one
 * endpoint again, now, and answers with its delivery (the new attempt last in `attempts`).
 * Verity's own, like Stripe's Dashboard resend: only an event that was delivered (or is being
 * retried) to that endpoint, within 15 days of the event; a disabled endpoint gets it too (it was
 * asked for). Its request may take 5 s (the worker's take 10). A resend does not change the
 * automatic schedule, unless it succeeds: then the delivery is done and leaves its event's pending webhooks.
 */
import { invalidParameter, VerityError } from '../domain/errors';
import { getDelivery } from '../store/webhook-deliveries';
import { isObjectId } from '../domain/ids';
import { required, requiredString } from '../wire/schema';
import { attemptDelivery } from '../webhooks/delivery-worker';
import { stripeEndpoint } from './endpoint';
import { endpointOfPath, renderDelivery } from './webhook-endpoint-params';

/** A resend answers within the API function's 10 seconds: its request gets 5 of them. */
const RESEND_TIMEOUT_MS = 5_000;
/** Stripe's limit for a manual resend. */
const RESEND_WITHIN_SECONDS = 15 * 24 * 60 * 60;

export const handler = stripeEndpoint(
  { event: required(requiredString({ maxLength: 100 })) },
  async ({ params, scope, pathId, origin }) => {
    const { endpoint } = await endpointOfPath(scope, pathId);
    const eventId = params.event!;
    const delivery = isObjectId('evt', eventId) ? await getDelivery(scope, endpoint.id, eventId) : undefined;
    if (!delivery) {
      throw invalidParameter(
        'resource_missing',
        `No delivery of event '${eventId}' to webhook endpoint ${endpoint.id}: only events sent to it can be resent.`,
        'event',
      );
    }
    if (delivery.created < Math.floor(origin.now.getTime() / 1000) - RESEND_WITHIN_SECONDS) {
      throw invalidParameter('parameter_invalid', `Event ${eventId} is more than 15 days old: it can no longer be resent.`, 'event');
    }
    const attempt = await attemptDelivery(delivery, 'resend', { timeoutMs: RESEND_TIMEOUT_MS });
    if (attempt === undefined) {
      throw new VerityError(
        'conflict',
        'lock_timeout',
        `Event ${eventId} is being delivered to ${endpoint.id} right now; retry the request in a minute.`,
      );
    }
    return renderDelivery((await getDelivery(scope, endpoint.id, eventId))!);
  },
);
