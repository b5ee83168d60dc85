import { updateWebhookEndpoint } from '../domain/webhook-endpoint';
import { replaceWebhookEndpoint } from '../store/webhook-endpoints';
import { expandParam, resolveExpand } from '../wire/expand';
import { boolean, metadata, string } from '../wire/schema';
import { stripeEndpoint } from './endpoint';
import { checkedUrl, enabledEventsParam, endpointOfPath, endpointUrlParam, renderWebhookEndpoint } from './webhook-endpoint-params';

export const handler = stripeEndpoint(
  {
    url: endpointUrlParam(),
    enabled_events: enabledEventsParam(),
    description: string(),
    metadata: metadata(),
    disabled: boolean(),
    expand: expandParam(),
  },
  async ({ params, scope, pathId }) => {
    resolveExpand(params.expand, []);
    const stored = await endpointOfPath(scope, pathId);
    const url = params.url === undefined ? undefined : await checkedUrl(params.url, scope);
    const endpoint = updateWebhookEndpoint(stored.endpoint, { ...params, url });
    await replaceWebhookEndpoint(endpoint, stored.version);
    return renderWebhookEndpoint(endpoint);
  },
);
