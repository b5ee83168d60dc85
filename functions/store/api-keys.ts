import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { KeyGrant, RestrictedKeyGrant } from '../domain/api-keys';
import type { Mode, Scope } from '../domain/scope';
import { dynamo } from './client';
import { tableName } from './schema';

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

/** Revokes a key: its hash is deleted. Warm functions may accept it for up to their cache's minute. */
export async function deleteApiKey(hash: string): Promise<boolean> {
  const { Attributes } = await dynamo().send(new DeleteCommand({ TableName: tableName(), Key: keyOf(hash), ReturnValues: 'ALL_OLD' }));
  return Attributes !== undefined;
}
