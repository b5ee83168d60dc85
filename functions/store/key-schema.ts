/**
 * The key table, described once: the CDK construct (lib/data.ts) and the local bootstrap
 * (local/dynamodb.ts) build it from this, the store (session-keys.ts) addresses it through it.
 *
 * It holds the keys that open every session's personal values (crypto-shredding,
 * docs/reference/redaction.md): one 256-bit data key per session, wrapped by the deployment's key-encryption key
 * (key-encryption-key.ts). Unlike the main table it has no stream and no point-in-time
 * recovery, so destroying a session's key leaves no copy of it anywhere.
 */
import type { Scope } from '../domain/scope';
import { objectKey, tableName } from './schema';

export const keyTableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
} as const;

/** The key table that goes with a main table when none is named: each local table has its own. */
export const defaultKeyTableName = (mainTable: string) => `${mainTable}-keys`;

/** `VERITY_KEY_TABLE_NAME`; by default the main table's name with `-keys`. */
export function keyTableName(): string {
  return process.env.VERITY_KEY_TABLE_NAME ?? defaultKeyTableName(tableName());
}

/** The sort key of a session's data key item (its partition key is the session's own). */
export const SESSION_KEY_KIND = 'data_key';

/** A session's data key item: under the session's own partition key, so its scope is part of its address. */
export const sessionKeyKey = (scope: Scope, sessionId: string) => ({ pk: objectKey(scope, sessionId, '').pk, sk: SESSION_KEY_KIND });
