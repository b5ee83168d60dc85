import { invalidParameter } from '../domain/errors';
import { createWebhookEndpoint } from '../domain/webhook-endpoint';
import type { SessionChange } from '../store/sessions';
import { insertWebhookEndpoint } from '../store/webhook-endpoints';
import { API_VERSION } from '../wire/events';
import { expandParam, resolveExpand } from '../wire/expand';
import { newObjectId } from '../wire/ids';
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
    // Verity renders events in one API version: an endpoint cannot ask for another.
    if (params.api_version !== undefined && params.api_version !== API_VERSION) {
      throw invalidParameter('parameter_invalid', `Invalid api_version: Verity renders events in ${API_VERSION} only.`, 'api_version');
    }
    if (params.connect === true) {
      throw invalidParameter('parameter_invalid', 'Invalid connect: Verity has no connected accounts; leave connect out or false.', 'connect');
    }
    const endpoint = createWebhookEndpoint(
      { url: await checkedUrl(params.url!, scope), enabled_events: params.enabled_events!, description: params.description, metadata: params.metadata, api_version: params.api_version },
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
