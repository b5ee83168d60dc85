/**
 * Webhook endpoints in DynamoDB: one item each in its account and mode, listed through the
 * `by_scope` index, guarded by a version number. A counter item per scope holds how many exist,
 * changed in the same transaction as each create and delete, so the limit of 16 holds under
 * concurrent creates.
 */
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { invalidParameter, resourceMissing, VerityError } from '../domain/errors';
import { MAX_WEBHOOK_ENDPOINTS, type WebhookEndpoint } from '../domain/webhook-endpoint';
import type { Scope } from '../domain/scope';
import { dynamo, isConditionalCheckFailure, type StoredItem } from './client';
import { queryPage, type PageQuery } from './list-page';
import { withMetadataOfStored, withStoredMetadata } from './metadata-attribute';
import { pageOfPartition } from './partition';
import { listPartition, objectKey, tableName, tableSchema } from './schema';
import { cancellationReasons, type TransactItem } from './transaction-items';

export const WEBHOOK_ENDPOINT_KIND = 'webhook_endpoint';
const COUNT_KIND = 'webhook_endpoint_count';
const countKey = (scope: Scope) => objectKey(scope, 'webhook_endpoints', COUNT_KIND);

export interface StoredWebhookEndpoint {
  endpoint: WebhookEndpoint;
  version: number;
}

const scopeOf = (endpoint: WebhookEndpoint): Scope => ({ account: endpoint.account, mode: endpoint.mode });

function endpointItem(endpoint: WebhookEndpoint, version: number): Record<string, unknown> {
  const scope = scopeOf(endpoint);
  return {
    ...objectKey(scope, endpoint.id, WEBHOOK_ENDPOINT_KIND),
    id: endpoint.id,
    version,
    [tableSchema.indexes.byScope.partitionKey]: listPartition(scope, WEBHOOK_ENDPOINT_KIND),
    endpoint: withStoredMetadata(endpoint),
  };
}

const endpointOfItem = (item: StoredItem): WebhookEndpoint => withMetadataOfStored(item.endpoint as WebhookEndpoint);

/**
 * Stores a new endpoint, and `also` (a saved idempotent response) in the same transaction.
 * Throws 400 `webhook_endpoints_limit_reached` (param `url`) when the scope already holds 16.
 */
export async function insertWebhookEndpoint(endpoint: WebhookEndpoint, also?: NonNullable<TransactItem['Put']>): Promise<void> {
  const items: TransactItem[] = [
    {
      Update: {
        TableName: tableName(),
        Key: countKey(scopeOf(endpoint)),
        UpdateExpression: 'ADD #count :one',
        ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1, ':max': MAX_WEBHOOK_ENDPOINTS },
      },
    },
    { Put: { TableName: tableName(), Item: endpointItem(endpoint, 1), ConditionExpression: 'attribute_not_exists(pk)' } },
    ...(also ? [{ Put: also }] : []),
  ];
  try {
    await dynamo().send(new TransactWriteCommand({ TransactItems: items } as TransactWriteCommandInput));
  } catch (error) {
    if (cancellationReasons(error)?.[0]?.code === 'ConditionalCheckFailed') {
      throw invalidParameter(
        'webhook_endpoints_limit_reached',
        `You have reached the maximum of ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints in ${endpoint.mode} mode. Delete one before you add ` +
          `another.`,
        'url',
      );
    }
    throw error;
  }
}

export async function getWebhookEndpoint(scope: Scope, id: string): Promise<StoredWebhookEndpoint | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: objectKey(scope, id, WEBHOOK_ENDPOINT_KIND), ConsistentRead: true }),
  );
  return Item ? { endpoint: endpointOfItem(Item), version: Item.version as number } : undefined;
}

/** Writes a changed endpoint if nobody changed it since `version` was read; 409 otherwise (the SDK retries). */
export async function replaceWebhookEndpoint(endpoint: WebhookEndpoint, version: number): Promise<void> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: endpointItem(endpoint, version + 1),
        ConditionExpression: 'version = :expected',
        ExpressionAttributeValues: { ':expected': version },
      }),
    );
  } catch (error) {
    if (isConditionalCheckFailure(error)) throw changedMeanwhile(endpoint.id);
    throw error;
  }
}

const changedMeanwhile = (id: string) =>
  new VerityError(
    'conflict',
    'lock_timeout',
    `The webhook endpoint ${id} was changed by another request at the same time; retry the request.`,
  );

/** Deletes the endpoint and counts it out, in one transaction; 404 when it does not exist. */
export async function deleteWebhookEndpoint(scope: Scope, id: string): Promise<void> {
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: tableName(),
              Key: objectKey(scope, id, WEBHOOK_ENDPOINT_KIND),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          {
            Update: {
              TableName: tableName(),
              Key: countKey(scope),
              UpdateExpression: 'ADD #count :minus',
              ExpressionAttributeNames: { '#count': 'count' },
              ExpressionAttributeValues: { ':minus': -1 },
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (cancellationReasons(error)?.[0]?.code === 'ConditionalCheckFailed') throw resourceMissing('webhook_endpoint', id);
    throw error;
  }
}

/** One page of the scope's endpoints, newest first. */
export const listWebhookEndpoints = (scope: Scope, page: PageQuery) =>
  queryPage(
    { index: tableSchema.indexes.byScope, partitions: [listPartition(scope, WEBHOOK_ENDPOINT_KIND)], idPrefix: 'we' },
    page,
    endpointOfItem,
  );

/** Every endpoint of the scope (at most 16: one read), for the fan-out of an event. */
export async function allWebhookEndpoints(scope: Scope): Promise<WebhookEndpoint[]> {
  const { items } = await pageOfPartition(tableSchema.indexes.byScope, listPartition(scope, WEBHOOK_ENDPOINT_KIND), {
    // Room beyond the limit: a limit lowered later must not hide endpoints that exist.
    limit: 100,
  });
  return items.map(endpointOfItem);
}

/** Disables an enabled endpoint (the delivery worker's verdict); false when it is gone or already disabled. */
export async function disableWebhookEndpoint(scope: Scope, id: string): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: objectKey(scope, id, WEBHOOK_ENDPOINT_KIND),
        UpdateExpression: 'SET #endpoint.#status = :disabled, version = version + :one',
        ConditionExpression: 'attribute_exists(pk) AND #endpoint.#status = :enabled',
        ExpressionAttributeNames: { '#endpoint': 'endpoint', '#status': 'status' },
        ExpressionAttributeValues: { ':disabled': 'disabled', ':enabled': 'enabled', ':one': 1 },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailure(error)) return false;
    throw error;
  }
}
