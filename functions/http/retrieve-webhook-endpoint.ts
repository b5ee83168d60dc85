import { expandParam, resolveExpand } from '../wire/expand';
import { stripeEndpoint } from './endpoint';
import { endpointOfPath, renderWebhookEndpoint } from './webhook-endpoint-params';

export const handler = stripeEndpoint({ expand: expandParam() }, async ({ params, scope, pathId }) => {
  resolveExpand(params.expand, []);
  return renderWebhookEndpoint((await endpointOfPath(scope, pathId)).endpoint);
});
