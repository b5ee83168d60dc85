import { listWebhookEndpoints } from '../store/webhook-endpoints';
import { resolveExpand } from '../wire/expand';
import { checkCursors, listEnvelope, pageParams, pageQuery } from '../wire/lists';
import { stripeEndpoint } from './endpoint';
import { renderWebhookEndpoint } from './webhook-endpoint-params';

const LIST_URL = '/v1/webhook_endpoints';

export const handler = stripeEndpoint(pageParams(), async ({ params, scope }) => {
  checkCursors(params, 'we', 'webhook_endpoint');
  resolveExpand(params.expand, [], { list: true });
  const { data, hasMore } = await listWebhookEndpoints(scope, pageQuery(params));
  return listEnvelope(LIST_URL, data.map(renderWebhookEndpoint), hasMore);
});
