import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { KeyGrant, RestrictedKeyGrant } from '../domain/api-keys';
import type { Mode, Scope } from '../domain/scope';
import { dynamo } from './client';
import { pageOfPartition } from './partition';
import { listPartition, publishableKeyPartitionPrefix, tableName, tableSchema } from './schema';

const KIND = 'api_key';
const keyOf = (hash: string) => ({ pk: `${KIND}#${hash}`, sk: KIND });

/**
 * A stored key: whose it is, and what it may do (a restricted key's grant is stored with its hash; an item without one is a secret key's).
 */
export interface StoredApiKey {
  scope: Scope;
  grant: KeyGrant;
}

export async function findApiKey(hash: string): Promise<StoredApiKey | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keyOf(hash) }));
  if (!Item) return undefined;
  const restricted = Item.restricted as RestrictedKeyGrant | undefined;
  return {
    scope: { account: Item.account as string, mode: Item.mode as Mode },
    grant: restricted ? { type: 'restricted', ...restricted } : { type: 'secret' },
  };
}

/**
 * Stores a key's hash for an account, with a restricted key's grant; an existing key is left as
 * it is. Returns the key's scope.
 */
export async function saveApiKey(hash: string, scope: Scope, now: Date, restricted?: RestrictedKeyGrant): Promise<Scope> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keyOf(hash),
          account: scope.account,
          mode: scope.mode,
          created: Math.floor(now.getTime() / 1000),
          ...(restricted ? { restricted } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return scope;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
      return (await findApiKey(hash))!.scope;
    }
    throw error;
  }
}

/**
 * Revokes a key: its hash is deleted (a publishable key's with `publishable`). Warm functions may
 * accept it for up to their cache's minute.
 */
export async function deleteApiKey(hash: string, publishable = false): Promise<boolean> {
  const Key = publishable ? publishableKeyOf(hash) : keyOf(hash);
  const { Attributes } = await dynamo().send(new DeleteCommand({ TableName: tableName(), Key, ReturnValues: 'ALL_OLD' }));
  return Attributes !== undefined;
}

/**
 * Publishable keys live in partitions of their own (`publishable_key#<hash>`), so the routes anyone
 * may call that look one up (the modal's, functions/routes.ts) can be granted exactly those, and
 * never a secret key's item.
 */
const publishableKeyOf = (hash: string) => ({ pk: `${publishableKeyPartitionPrefix}${hash}`, sk: 'publishable_key' });
/** The by-scope index's partition of an account's publishable keys in one mode. */
const PUBLISHABLE_LIST = 'api_key_publishable';

/**
 * Stores a publishable key (`pk_…`) for a scope: its hash, as every key's, and the key itself (it
 * is public), listed under the scope so `npm run keys -- publishable` can show it again.
 */
export async function savePublishableKey(key: string, hash: string, scope: Scope, now: Date): Promise<void> {
  try {
    await putPublishableKey(key, hash, scope, now);
  } catch (error) {
    // Already stored (a restart saving its kept key again): left as it is.
    if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
  }
}

const putPublishableKey = (key: string, hash: string, scope: Scope, now: Date) =>
  dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...publishableKeyOf(hash),
        account: scope.account,
        mode: scope.mode,
        created: Math.floor(now.getTime() / 1000),
        publishable: key,
        [tableSchema.indexes.byScope.partitionKey]: listPartition(scope, PUBLISHABLE_LIST),
        [tableSchema.indexes.byScope.sortKey]: key,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );

/** The scope of a stored publishable key (by its hash); undefined for an unknown or revoked one, or a key of another type. */
export async function findPublishableKey(hash: string): Promise<Scope | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: publishableKeyOf(hash) }));
  if (!Item) return undefined;
  return { account: Item.account as string, mode: Item.mode as Mode };
}

/** A scope's publishable keys, oldest first (at most 100: an account has a handful). */
export async function listPublishableKeys(scope: Scope): Promise<{ key: string; created: number }[]> {
  const { items: Items } = await pageOfPartition(tableSchema.indexes.byScope, listPartition(scope, PUBLISHABLE_LIST), { limit: 100 });
  return Items.map((item) => ({ key: item.publishable as string, created: item.created as number })).sort((a, b) => a.created - b.created);
}
