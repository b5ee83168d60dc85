/**
 * The routes of webhook endpoints (`/v1/webhook_endpoints`, Stripe's) and of their delivery log
 * (`/v1/verity/…`, Verity's own), as entries of the route table (functions/routes.ts), which
 * passes in the grants every authenticated route shares.
 */
import type { DynamoAction, Route } from '../routes';
import { tableSchema } from '../store/schema';

const endpoints = '/v1/webhook_endpoints';
/** Verity's own routes, outside Stripe's namespace. */
const verityEndpoints = '/v1/verity/webhook_endpoints';

export function webhookEndpointRoutes(shared: { auth: DynamoAction[]; rateLimit: Route['keyed']; idempotency: DynamoAction[] }): Route[] {
  const { auth, rateLimit, idempotency } = shared;
  const route = (name: string, routeKey: string, handler: string, dynamodb: DynamoAction[], indexes: string[] = []): Route => ({
    name,
    routeKey,
    handler: `http/${handler}`,
    dynamodb: [...auth, ...dynamodb],
    indexes,
    authenticated: true,
    keyed: rateLimit,
  });
  return [
    // The endpoint and its scope's counter, in one transaction with the saved response.
    route('CreateWebhookEndpoint', `POST ${endpoints}`, 'create-webhook-endpoint', [...idempotency, 'UpdateItem']),
    route('ListWebhookEndpoints', `GET ${endpoints}`, 'list-webhook-endpoints', ['Query'], [tableSchema.indexes.byScope.name]),
    route('RetrieveWebhookEndpoint', `GET ${endpoints}/{id}`, 'retrieve-webhook-endpoint', []),
    route('UpdateWebhookEndpoint', `POST ${endpoints}/{id}`, 'update-webhook-endpoint', [...idempotency]),
    route('DeleteWebhookEndpoint', `DELETE ${endpoints}/{id}`, 'delete-webhook-endpoint', ['DeleteItem', 'UpdateItem']),
    route('ListWebhookDeliveries', `GET ${verityEndpoints}/{id}/deliveries`, 'webhook-delivery-log', ['Query'], [tableSchema.indexes.byType.name]),
    // Reads the endpoint, its delivery and the event; leases and records the delivery, and counts the event off.
    route('ResendWebhookEvent', `POST ${verityEndpoints}/{id}/resend`, 'resend-webhook-event', [...idempotency, 'UpdateItem']),
  ];
}
