import { deleteWebhookEndpoint } from '../store/webhook-endpoints';
import { stripeEndpoint } from './endpoint';
import { endpointOfPath } from './webhook-endpoint-params';

export const handler = stripeEndpoint({}, async ({ scope, pathId }) => {
  const { endpoint } = await endpointOfPath(scope, pathId);
  await deleteWebhookEndpoint(scope, endpoint.id);
  return { id: endpoint.id, object: 'webhook_endpoint' as const, deleted: true as const };
});
