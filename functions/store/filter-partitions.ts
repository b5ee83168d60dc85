/**
 * Index partitions of list filters. A filter on a personal value (a client reference) is keyed:
 * HMAC-SHA-256 under the account's index key (derived from the deployment's key-encryption key,
 * key-encryption-key.ts), so a copy of the table, its stream or a backup cannot test guesses of a
 * reference against the index. Filters on Verity's own values and the business's object ids
 * (status, type, customer) keep the plain digest of schema.ts `listPartition`.
 */
import { createHmac } from 'node:crypto';
import type { Scope } from '../domain/scope';
import { indexKey } from './key-encryption-key';
import { listPartition } from './schema';

/** Fields whose values are a person's data: their index partitions are keyed. */
const PERSONAL_FILTERS = new Set(['client_reference_id']);

/** The partition of `kind` in `scope` with `field = value`. A personal field needs the KEK loaded (`await keyEncryptionKey()`). */
export function filterPartition(scope: Scope, kind: string, field: string, value: string): string {
  if (!PERSONAL_FILTERS.has(field)) return listPartition(scope, kind, { field, value });
  const digest = createHmac('sha256', indexKey(scope.account))
    .update(JSON.stringify([scope.mode, kind, field, value]))
    .digest('base64url');
  // `k1.`: the keyed form, never equal to a plain digest of the same value.
  return `${listPartition(scope, kind)}#${field}#k1.${digest}`;
}
