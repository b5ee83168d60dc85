/**
 * Verity's delivery log of a webhook endpoint, outside Stripe's namespace:
 * `GET /v1/verity/webhook_endpoints/{id}/deliveries` lists its deliveries, newest event first,
 * each with every attempt (time, HTTP status, duration, error class). Paged like Stripe's lists
 * (`limit`, `starting_after`/`ending_before` take event ids).
 */
import { listDeliveries } from '../store/webhook-deliveries';
import { resolveExpand } from '../wire/expand';
import { checkCursors, listEnvelope, pageParams, pageQuery } from '../wire/lists';
import { stripeEndpoint } from './endpoint';
import { endpointOfPath, renderDelivery } from './webhook-endpoint-params';

export const handler = stripeEndpoint(pageParams(), async ({ params, scope, pathId }) => {
  checkCursors(params, 'evt', 'event');
  resolveExpand(params.expand, [], { list: true });
  const { endpoint } = await endpointOfPath(scope, pathId);
  const { data, hasMore } = await listDeliveries(scope, endpoint.id, pageQuery(params));
  return listEnvelope(`/v1/verity/webhook_endpoints/${endpoint.id}/deliveries`, data.map(renderDelivery), hasMore);
});
