/**
 * What the webhook handlers share: the parameters, the endpoint as Stripe's API
 * shows it, finding the one a path names in the caller's scope, and a delivery as the log shows it.
 */
import { resourceMissing } from '../domain/errors';
import type { Scope } from '../domain/scope';
import type { WebhookEndpoint } from '../domain/webhook-endpoint';
import type { WebhookDelivery } from '../store/webhook-deliveries';
import { getWebhookEndpoint, type StoredWebhookEndpoint } from '../store/webhook-endpoints';
import { isObjectId } from '../domain/ids';
import { array, requiredString, url, type Validator } from '../wire/schema';
import { checkEndpointUrl } from '../webhooks/endpoint-url';

/**
 * At most this many event types in `enabled_events`: Stripe's own enum of event types holds
 * about 250, and an endpoint may list payment events beside identity ones (duplicates are dropped).
 */
const MAX_ENABLED_EVENTS = 300;

export const enabledEventsParam = () => array(requiredString({ maxLength: 100 }), { maxItems: MAX_ENABLED_EVENTS });
/** An absolute http(s) URL, never empty; where it may point is checked for the mode by `checkedUrl`. */
export function endpointUrlParam(): Validator<string> {
  const nonEmpty = requiredString({ maxLength: 5000 });
  const absolute = url();
  return (value, param) => absolute(nonEmpty(value, param), param);
}

/** The URL if the scope's mode may use it (functions/webhooks/endpoint-url.ts); 400 `url_invalid` otherwise. */
export async function checkedUrl(text: string, scope: Scope): Promise<string> {
  await checkEndpointUrl(text, scope.mode);
  return text;
}

/** The endpoint a path names, in the caller's scope: 404 for anything else, as Stripe answers. */
export async function endpointOfPath(scope: Scope, pathId: string | undefined): Promise<StoredWebhookEndpoint> {
  const stored = pathId && isObjectId('we', pathId) ? await getWebhookEndpoint(scope, pathId) : undefined;
  if (!stored) throw resourceMissing('webhook_endpoint', pathId ?? '');
  return stored;
}

/** The WebhookEndpoint object as Stripe's API shows it (without `secret`, which only a create shows). */
export function renderWebhookEndpoint(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.id,
    object: 'webhook_endpoint' as const,
    api_version: endpoint.api_version,
    application: null,
    created: endpoint.created,
    description: endpoint.description,
    enabled_events: endpoint.enabled_events,
    livemode: endpoint.mode === 'live',
    metadata: endpoint.metadata,
    status: endpoint.status,
    url: endpoint.url,
  };
}

/** The delivery as the log shows it: no event data, only which event and how each attempt went. */
export function renderDelivery(delivery: WebhookDelivery) {
  return {
    object: 'verity.webhook_delivery' as const,
    webhook_endpoint: delivery.endpointId,
    event: delivery.eventId,
    event_type: delivery.eventType,
    created: delivery.created,
    status: delivery.status,
    next_attempt_at: delivery.nextAttemptAt,
    attempts: delivery.attempts,
  };
}
