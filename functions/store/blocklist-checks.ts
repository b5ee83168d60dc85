/**
 * Blocklist checks: the job of a BlocklistEntry created with `check_existing_verifications=true`,
 * which retroactively unverifies the scope's verified sessions that match the entry
 * (functions/flows/blocklist-check.ts). One item per entry, in the entry's own partition, written
 * in the entry's creation transaction (so an entry and its job exist together or not at all, and a
 * replayed idempotent create writes neither again). Writing it is what starts the job: the
 * table's stream hands the new image to the blocklist check worker, and each saved step (a new
 * image) hands the next page to the next run, as the redaction's progress does. It holds ids, a
 * keyed digest and a cursor (a session id): nothing personal. The finished job's item is deleted;
 * so is an unfinished one when its entry is disabled or redacted (functions/store/blocklist-entries.ts).
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { BlocklistEntryType } from '../domain/blocklist-entry';
import type { EventRequest } from '../domain/events';
import type { Scope } from '../domain/scope';
import { dynamo, writeUnlessConditionFails, type StoredItem } from './client';
import { objectKey, tableName } from './schema';
import type { TransactItem } from './transaction-items';

export const BLOCKLIST_CHECK_KIND = 'blocklist_check';

/** Where a check stands: how many pages it has done, and the session id its next page starts after. */
export interface BlocklistCheck {
  scope: Scope;
  /** The entry (`ible_…`) whose matches it unverifies. */
  entry: string;
  type: BlocklistEntryType;
  /**
   * A document entry's partition in the verified documents index (`ivd_<keyed digest>`,
   * functions/store/verified-documents.ts); none for a selfie entry, which walks the verified sessions.
   */
  documents?: string;
  /** The create request (its `req_…` id and idempotency key), named by each change's events and audit record. */
  request: EventRequest;
  /** Pages done (0: none yet). */
  step: number;
  /** The last session id of the pages done; undefined before the first page. */
  after?: string;
}

export const blocklistCheckKey = (scope: Scope, entryId: string) => objectKey(scope, entryId, BLOCKLIST_CHECK_KIND);

const itemOf = (check: BlocklistCheck) => ({ ...blocklistCheckKey(check.scope, check.entry), check });

/** The new job's item, for the entry's creation transaction. */
export function blocklistCheckWrite(check: BlocklistCheck): TransactItem {
  return { Put: { TableName: tableName(), Item: itemOf(check), ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** The write that stops an entry's unfinished job, for the transaction that disables or redacts it (nothing when it has none). */
export function blocklistCheckDelete(scope: Scope, entryId: string): TransactItem {
  return { Delete: { TableName: tableName(), Key: blocklistCheckKey(scope, entryId) } };
}

/** The job an item (a stream image) holds, if it is one. */
export function checkOfItem(item: StoredItem): BlocklistCheck | undefined {
  return item.sk === BLOCKLIST_CHECK_KIND && item.check ? (item.check as BlocklistCheck) : undefined;
}

export async function getBlocklistCheck(scope: Scope, entryId: string): Promise<BlocklistCheck | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: blocklistCheckKey(scope, entryId), ConsistentRead: true }),
  );
  return Item ? checkOfItem(Item) : undefined;
}

const atStep = (step: number) => ({
  ConditionExpression: '#check.#step = :step',
  ExpressionAttributeNames: { '#check': 'check', '#step': 'step' },
  ExpressionAttributeValues: { ':step': step },
});

/**
 * Saves `next` (one step on) only if the job still stands at `from.step`: false when another run
 * got there first, or the job was stopped (deleted) meanwhile. The write continues the job (see above).
 */
export function saveBlocklistCheck(from: BlocklistCheck, next: BlocklistCheck): Promise<boolean> {
  return writeUnlessConditionFails(new PutCommand({ TableName: tableName(), Item: itemOf(next), ...atStep(from.step) }));
}

/** Deletes the finished job, only if it still stands at `from.step` (false otherwise). */
export function finishBlocklistCheck(from: BlocklistCheck): Promise<boolean> {
  return writeUnlessConditionFails(
    new DeleteCommand({ TableName: tableName(), Key: blocklistCheckKey(from.scope, from.entry), ...atStep(from.step) }),
  );
}

/** Deletes the job whatever its step (its entry no longer blocks anything). */
export async function stopBlocklistCheck(scope: Scope, entryId: string): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: tableName(), Key: blocklistCheckKey(scope, entryId) }));
}
