/**
 * The fan-out: each new event becomes one delivery per enabled endpoint of its account and mode
 * that subscribes to its type. Run by the outbox publisher on the event's stream record; every
 * delivery is a conditional put (functions/store/webhook-deliveries.ts), so running it again for
 * the same event, after a crash or a redelivered record, adds only what is missing.
 */
import { receivesEvent } from '../domain/webhook-endpoint';
import type { StripeEvent } from '../wire/events';
import { insertDelivery } from '../store/webhook-deliveries';
import { allWebhookEndpoints } from '../store/webhook-endpoints';
import type { DeliveryJob } from './hand-off';

/** Makes the event's deliveries; returns those that are new (what the publisher hands to the worker, functions/webhooks/hand-off.ts). */
export async function fanOutEvent(event: StripeEvent, now: Date = new Date()): Promise<DeliveryJob[]> {
  const scope = { account: event.account, mode: event.livemode ? ('live' as const) : ('test' as const) };
  const endpoints = (await allWebhookEndpoints(scope)).filter((endpoint) => receivesEvent(endpoint, event.type));
  const made = await Promise.all(endpoints.map((endpoint) => insertDelivery(scope, endpoint.id, event, Math.floor(now.getTime() / 1000))));
  return endpoints.filter((_, i) => made[i]).map((endpoint) => ({ scope, endpointId: endpoint.id, eventId: event.id }));
}
