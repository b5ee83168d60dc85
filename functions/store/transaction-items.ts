/** The actions a change's `TransactWriteItems` is made of, beside the session item itself. */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { tableName } from './schema';
import type { StoredItem } from './client';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A new item; the transaction fails rather than overwrite one. */
export const putNew = (Item: Record<string, unknown>): TransactItem => ({
  Put: { TableName: tableName(), Item, ConditionExpression: 'attribute_not_exists(pk)' },
});

export const deleteItem = (Key: Record<string, unknown>): TransactItem => ({ Delete: { TableName: tableName(), Key } });

/** Why DynamoDB refused one action of a cancelled transaction, in the order of the actions. */
export interface CancellationReason {
  /** `None` for an action that was not at fault, `ConditionalCheckFailed`, `TransactionConflict`, … */
  code: string;
  /** The item as it was, for a failed condition of an action that asked for it (`ALL_OLD`). */
  item?: StoredItem;
}

/**
 * The reasons of a `TransactionCanceledException`, one per action, items unmarshalled (the
 * document client leaves them in DynamoDB's format); undefined for any other error.
 */
export function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons =
    (error as Error & { CancellationReasons?: { Code?: string; Item?: Record<string, AttributeValue> }[] }).CancellationReasons ?? [];
  return reasons.map((reason) => ({ code: reason.Code ?? 'None', ...(reason.Item ? { item: unmarshall(reason.Item) } : {}) }));
}
