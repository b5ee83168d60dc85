import { invalidParameter } from '../domain/errors';
import { createWebhookEndpoint } from '../domain/webhook-endpoint';
import type { SessionChange } from '../store/sessions';
import { insertWebhookEndpoint } from '../store/webhook-endpoints';
import { servedVersion } from '../wire/api-versions';
import { expandParam, resolveExpand } from '../wire/expand';
import { newObjectId } from '../domain/ids';
import { boolean, metadata, required, string } from '../wire/schema';
import { webhookEndpointSecret } from '../wire/session-secrets';
import { stripeEndpoint } from './endpoint';
import { checkedUrl, enabledEventsParam, endpointUrlParam, renderWebhookEndpoint } from './webhook-endpoint-params';

export const handler = stripeEndpoint(
  {
    url: required(endpointUrlParam()),
    enabled_events: required(enabledEventsParam()),
    description: string(),
    metadata: metadata(),
    api_version: string({ maxLength: 100 }),
    connect: boolean(),
    expand: expandParam(),
  },
  async ({ params, scope, origin, saveResponse }) => {
    resolveExpand(params.expand, []);
    // Any version the API serves; its events are rendered in it (functions/wire/events.ts eventForEndpoint).
    const apiVersion = params.api_version === undefined ? undefined : endpointApiVersion(params.api_version);
    if (params.connect === true) {
      throw invalidParameter(
        'parameter_invalid',
        'Invalid connect: Verity has no connected accounts; leave connect out or false.',
        'connect',
      );
    }
    const endpoint = createWebhookEndpoint(
      {
        url: await checkedUrl(params.url!, scope),
        enabled_events: params.enabled_events!,
        description: params.description,
        metadata: params.metadata,
        api_version: apiVersion,
      },
      { id: newObjectId('we', origin.now.getTime()), scope, now: origin.now },
    );
    // The only response that shows the secret. A saved idempotent response keeps its generation
    // instead (functions/wire/session-secrets.ts), and a replay derives the same secret again.
    const body = { ...renderWebhookEndpoint(endpoint), secret: webhookEndpointSecret(scope, endpoint.id, endpoint.secret_generation) };
    // The saved response goes in the endpoint's own transaction: a create is stored with its answer or not at all.
    const save = saveResponse?.(() => ({ ...body, secret_generation: endpoint.secret_generation }));
    await insertWebhookEndpoint(endpoint, save?.put({} as SessionChange));
    save?.stored();
    return body;
  },
);

/**
 * `api_version` as the endpoint keeps it: the version as given (trimmed), so the endpoint shows
 * what its owner chose, once `servedVersion` accepts it; 400 `parameter_invalid` naming
 * `api_version` (and not repeating it) otherwise.
 */
function endpointApiVersion(text: string): string {
  if (text.trim() === '') {
    throw invalidParameter(
      'parameter_invalid_empty',
      'Invalid api_version: leave it out for the newest version, or name a Stripe API version.',
      'api_version',
    );
  }
  try {
    servedVersion(text);
  } catch {
    throw invalidParameter(
      'parameter_invalid',
      'Invalid api_version: it must be a Stripe API version, such as 2026-11-18.endive.',
      'api_version',
    );
  }
  return text.trim();
}
