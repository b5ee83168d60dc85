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
 *
 * At most one unfinished job per account and mode: a selfie entry's job costs a report read and a
 * face search (Rekognition SearchFacesByImage, a quota every account's live checks share) per verified
 * session, so K jobs at once would cost K times that. The job's creation transaction also puts the
 * scope's running-check item (`iblc_running`, naming the entry) only if there is none; the transaction
 * that deletes the job (finished, stopped, its entry disabled or redacted) deletes that item too.
 */
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { BlocklistEntryType } from '../domain/blocklist-entry';
import type { EventRequest } from '../domain/events';
import type { Scope } from '../domain/scope';
import { dynamo, writeUnlessConditionFails, type StoredItem } from './client';
import { objectKey, tableName } from './schema';
import { cancellationReasons, type CancellationReason, type TransactItem } from './transaction-items';

export const BLOCKLIST_CHECK_KIND = 'blocklist_check';

/** The id prefix of the running-check item's partition (`iblc_running`); IAM names it as objects of this kind. */
export const BLOCKLIST_CHECK_RUNNING_PREFIX = 'iblc';
const RUNNING_KIND = 'blocklist_check_running';

/** The scope's running-check item: at most one per account and mode, naming the entry whose job is unfinished. */
export const runningCheckKey = (scope: Scope) => objectKey(scope, `${BLOCKLIST_CHECK_RUNNING_PREFIX}_running`, RUNNING_KIND);

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

/**
 * The new job's item and the scope's running-check item, for the entry's creation transaction: the
 * latter only if no other job of the scope is unfinished (else the transaction is cancelled, and
 * `runningCheckOf` names the entry whose job runs).
 */
export function blocklistCheckWrite(check: BlocklistCheck): TransactItem[] {
  return [
    { Put: { TableName: tableName(), Item: itemOf(check), ConditionExpression: 'attribute_not_exists(pk)' } },
    {
      Put: {
        TableName: tableName(),
        Item: { ...runningCheckKey(check.scope), entry: check.entry },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
  ];
}

/** The entry (`ible_…`) whose unfinished job cancelled a creation transaction (`blocklistCheckWrite`), if that is why. */
export function runningCheckOf(error: unknown): string | undefined {
  const reason = cancellationReasons(error)?.find((r) => r.code === 'ConditionalCheckFailed' && r.item?.sk === RUNNING_KIND);
  return reason ? (reason.item!.entry as string) : undefined;
}

/**
 * Writes `items` in one transaction with the release of the scope's running-check item if entry
 * `entryId` holds it. When another entry's job holds it (this entry had no unfinished job), `items`
 * are written alone. Throws the transaction's cancellation otherwise (`items`' reasons first).
 */
export async function transactReleasingCheck(scope: Scope, entryId: string, items: TransactItem[]): Promise<void> {
  const release: TransactItem = {
    Delete: {
      TableName: tableName(),
      Key: runningCheckKey(scope),
      ConditionExpression: 'attribute_not_exists(pk) OR #entry = :entry',
      ExpressionAttributeNames: { '#entry': 'entry' },
      ExpressionAttributeValues: { ':entry': entryId },
    },
  };
  try {
    await dynamo().send(new TransactWriteCommand({ TransactItems: [...items, release] }));
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons || !heldByAnother(reasons)) throw error;
    await dynamo().send(new TransactWriteCommand({ TransactItems: items }));
  }
}

const heldByAnother = (reasons: CancellationReason[]) =>
  reasons.at(-1)?.code === 'ConditionalCheckFailed' && reasons.slice(0, -1).every((reason) => reason.code === 'None');

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

/** Deletes the finished job and releases the scope's running check, only if it still stands at `from.step` (false otherwise). */
export async function finishBlocklistCheck(from: BlocklistCheck): Promise<boolean> {
  try {
    await transactReleasingCheck(from.scope, from.entry, [
      { Delete: { TableName: tableName(), Key: blocklistCheckKey(from.scope, from.entry), ...atStep(from.step) } },
    ]);
    return true;
  } catch (error) {
    if (cancellationReasons(error)?.[0]?.code === 'ConditionalCheckFailed') return false;
    throw error;
  }
}

/** Deletes the job whatever its step (its entry no longer blocks anything) and releases the scope's running check. */
export async function stopBlocklistCheck(scope: Scope, entryId: string): Promise<void> {
  await transactReleasingCheck(scope, entryId, [{ Delete: { TableName: tableName(), Key: blocklistCheckKey(scope, entryId) } }]);
}
