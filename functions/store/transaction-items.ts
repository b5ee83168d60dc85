/** The actions a change's `TransactWriteItems` is made of, beside the session item itself. */
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { tableName } from './schema';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A new item; the transaction fails rather than overwrite one. */
export const putNew = (Item: Record<string, unknown>): TransactItem => ({
  Put: { TableName: tableName(), Item, ConditionExpression: 'attribute_not_exists(pk)' },
});

export const deleteItem = (Key: Record<string, unknown>): TransactItem => ({ Delete: { TableName: tableName(), Key } });
