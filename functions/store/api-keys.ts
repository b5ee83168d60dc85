import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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

/**
 * Saving a key that was revoked: a revoked key stays revoked for good, so a restart or a script
 * that saves a key it kept can never bring it back.
 */
export class RevokedKeyError extends Error {
  constructor() {
    super('This key was revoked: make a new one (npm run keys -- create).');
    this.name = 'RevokedKeyError';
  }
}

export async function findApiKey(hash: string): Promise<StoredApiKey | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keyOf(hash) }));
  if (!Item || Item.revoked !== undefined) return undefined;
  const restricted = Item.restricted as RestrictedKeyGrant | undefined;
  return {
    scope: { account: Item.account as string, mode: Item.mode as Mode },
    grant: restricted ? { type: 'restricted', ...restricted } : { type: 'secret' },
  };
}

/**
 * Stores a key's hash for an account, with a restricted key's grant; an existing key is left as
 * it is. Returns the key's scope. Throws RevokedKeyError for a key that was revoked.
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
      const existing = await findApiKey(hash);
      if (!existing) throw new RevokedKeyError();
      return existing.scope;
    }
    throw error;
  }
}

/**
 * Revokes a key (a publishable key's with `publishable`): its item becomes a tombstone, `revoked`
 * (unix seconds) beside the hash, account and mode, out of every list, so that saving the same key
 * again (a restart's kept key) is refused rather than bringing it back, as a deleted item would
 * allow. True when this call revoked it; false for an unknown or already revoked key. Warm
 * functions may accept it for up to their cache's minute.
 */
export async function revokeApiKey(hash: string, publishable = false, now = new Date()): Promise<boolean> {
  const { byScope } = tableSchema.indexes;
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: publishable ? publishableKeyOf(hash) : keyOf(hash),
        UpdateExpression: 'SET revoked = :now REMOVE restricted, publishable, #listPk, #listSk',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revoked)',
        ExpressionAttributeNames: { '#listPk': byScope.partitionKey, '#listSk': byScope.sortKey },
        ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
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
    if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
    // Already stored (a restart saving its kept key again): left as it is, unless it was revoked.
    if (!(await findPublishableKey(hash))) throw new RevokedKeyError();
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
  if (!Item || Item.revoked !== undefined) return undefined;
  return { account: Item.account as string, mode: Item.mode as Mode };
}

/** A scope's publishable keys, oldest first (at most 100: an account has a handful). */
export async function listPublishableKeys(scope: Scope): Promise<{ key: string; created: number }[]> {
  const { items: Items } = await pageOfPartition(tableSchema.indexes.byScope, listPartition(scope, PUBLISHABLE_LIST), { limit: 100 });
  return Items.map((item) => ({ key: item.publishable as string, created: item.created as number })).sort((a, b) => a.created - b.created);
}
