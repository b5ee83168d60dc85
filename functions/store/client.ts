import { DynamoDBClient, type ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type NativeAttributeValue, unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand, type DeleteCommand, type PutCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from './schema';

/**
 * An item as the document client reads and writes it: each attribute's name to its native value
 * (the SDK's own `NativeAttributeValue`), before a module of this folder reads its fields.
 */
export type StoredItem = Record<string, NativeAttributeValue>;

let documentClient: { client: DynamoDBDocumentClient; endpoint: string | undefined } | undefined;

/**
 * One client per container, created on first use so configuration is read at call time.
 * The endpoint comes from the SDK's own `AWS_ENDPOINT_URL_DYNAMODB` (DynamoDB Local) or the
 * region's default; a local runtime restarted in the same process may point it elsewhere.
 */
export function dynamo(): DynamoDBDocumentClient {
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (!documentClient || documentClient.endpoint !== endpoint) {
    documentClient = {
      endpoint,
      client: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
    };
  }
  return documentClient.client;
}

export function isConditionalCheckFailure(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * Sends one conditional write: true when it was written, false when its condition failed (the
 * item is gone, or was changed since); any other error is thrown.
 */
export async function writeUnlessConditionFails(command: PutCommand | UpdateCommand | DeleteCommand): Promise<boolean> {
  try {
    await dynamo().send(command as PutCommand);
    return true;
  } catch (error) {
    if (isConditionalCheckFailure(error)) return false;
    throw error;
  }
}

/**
 * Sets (and removes) some attributes of `item` (found by its `pk`/`sk`), leaving the rest as it is, if
 * `condition` holds: true when written, false when the condition failed (as
 * `writeUnlessConditionFails`). Used where another writer changes other attributes of the same
 * item meanwhile, so a whole-item Put would put back stale values. Attribute names are given
 * placeholders here; `names`/`values` are only those `condition` refers to.
 */
export function setAttributesUnlessConditionFails(
  item: Record<string, unknown>,
  set: Record<string, unknown>,
  options: { remove?: string[]; condition: string; names?: Record<string, string>; values?: Record<string, unknown> },
): Promise<boolean> {
  const names: Record<string, string> = { ...options.names };
  const values: Record<string, unknown> = { ...options.values };
  const assignments = Object.entries(set).map(([name, value], i) => {
    names[`#set${i}`] = name;
    values[`:set${i}`] = value;
    return `#set${i} = :set${i}`;
  });
  const removals = (options.remove ?? []).map((name, i) => {
    names[`#remove${i}`] = name;
    return `#remove${i}`;
  });
  return writeUnlessConditionFails(
    new UpdateCommand({
      TableName: tableName(),
      Key: { pk: item.pk, sk: item.sk },
      UpdateExpression: `SET ${assignments.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`,
      ConditionExpression: options.condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
    }),
  );
}

/** Sends of one batch before giving up on what DynamoDB keeps leaving unprocessed. */
const MAX_BATCH_ATTEMPTS = 8;

/**
 * Sends a BatchGetItem or BatchWriteItem (`send` returns what it left unprocessed:
 * `UnprocessedKeys` / `UnprocessedItems`) and re-sends the rest with exponential backoff, as AWS
 * advises for batch operations, until nothing is left; throws `failure` after
 * `MAX_BATCH_ATTEMPTS` sends.
 */
export async function untilProcessed<T>(
  requestItems: Record<string, T>,
  send: (pending: Record<string, T>) => Promise<Record<string, T> | undefined>,
  failure: string,
): Promise<void> {
  let pending: Record<string, T> | undefined = requestItems;
  for (let attempt = 0; pending && Object.keys(pending).length; attempt++) {
    if (attempt === MAX_BATCH_ATTEMPTS) throw new Error(failure);
    if (attempt > 0) await new Promise((done) => setTimeout(done, 25 * 2 ** attempt));
    pending = await send(pending);
  }
}

/**
 * The item a failed conditional write returned (`ReturnValuesOnConditionCheckFailure: ALL_OLD`).
 * The document client does not unmarshall it, so this does.
 */
export function itemOfFailedCondition(error: ConditionalCheckFailedException): StoredItem | undefined {
  return error.Item ? unmarshall(error.Item) : undefined;
}
