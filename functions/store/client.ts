import { DynamoDBClient, type ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoDBDocumentClient, type DeleteCommand, type PutCommand, type UpdateCommand } from '@aws-sdk/lib-dynamodb';

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
 * The item a failed conditional write returned (`ReturnValuesOnConditionCheckFailure: ALL_OLD`).
 * The document client does not unmarshall it, so this does.
 */
export function itemOfFailedCondition(error: ConditionalCheckFailedException): Record<string, any> | undefined {
  return error.Item ? unmarshall(error.Item) : undefined;
}
