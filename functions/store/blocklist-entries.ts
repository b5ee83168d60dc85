/**
 * Identity BlocklistEntries in DynamoDB. An entry is one item in its account and mode, listed
 * through the by-scope index (and by status and type), and found by its session's redaction through
 * the by-session index. What it blocks is a separate match item per entry, keyed by a digest of the
 * document: HMAC-SHA-256 under the account's index key (derived from the deployment's key-encryption
 * key, a secret of the stack kept sealed: key-encryption-key.ts), never a plain hash, since a
 * document number's space is small enough to reverse one. The checks find matches with one Query
 * on that key; disabling an entry or redacting its session deletes its match item in the same
 * transaction that changes the entry, so a disabled or redacted entry blocks nothing.
 */
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createHmac } from 'node:crypto';
import { BLOCKLIST_ENTRY_ID_PREFIX, type BlocklistEntry, type DocumentIdentity } from '../domain/blocklist-entry';
import type { IndexedFace } from '../domain/face-index';
import { resourceMissing } from '../domain/errors';
import type { Scope } from '../domain/scope';
import type { CreatedRange } from './list-page';
import { blocklistCheckDelete, transactReleasingCheck } from './blocklist-checks';
import { dynamo, type StoredItem } from './client';
import { filterPartition } from './filter-partitions';
import { indexKey, keyEncryptionKey } from './key-encryption-key';
import { filteredIndexQuery, queryPage } from './list-page';
import { listPartition, objectKey, sessionCopiesPartition, tableName, tableSchema } from './schema';
import { cancellationReasons, type TransactItem } from './transaction-items';

export const BLOCKLIST_ENTRY_KIND = 'blocklist_entry';
/** The id prefix of match items' partitions: `iblm_<digest>`; IAM names them as objects of this kind. */
export const BLOCKLIST_MATCH_PREFIX = 'iblm';
const MATCH_KIND = 'blocklist_match';

const scopeOf = (entry: BlocklistEntry): Scope => ({ account: entry.account, mode: entry.mode });

/**
 * The keyed digest a document entry is matched by (needs the KEK loaded: `await keyEncryptionKey()`).
 * `purpose` keeps each index's digests apart (the blocklist's, the verified documents' of
 * functions/store/verified-documents.ts), so no two indexes can be joined on them.
 */
export function documentDigest(scope: Scope, document: DocumentIdentity, purpose: 'blocklist' | 'verified' = 'blocklist'): string {
  return createHmac('sha256', indexKey(scope.account))
    .update(JSON.stringify([scope.mode, purpose, 'document', document.type, document.issuing_country, document.number]))
    .digest('base64url');
}

/**
 * The content-hash stand-in's digest of a selfie (functions/store/faces.ts): the SHA-256 of its
 * bytes under the account's index key, so the table holds nothing a guess could be checked against.
 */
export function selfieDigest(scope: Scope, sha256: string): string {
  return createHmac('sha256', indexKey(scope.account))
    .update(JSON.stringify([scope.mode, 'blocklist', 'selfie', sha256]))
    .digest('base64url');
}

const matchKey = (scope: Scope, digest: string, entryId: string) =>
  objectKey(scope, `${BLOCKLIST_MATCH_PREFIX}_${digest}`, `${MATCH_KIND}#${entryId}`);

function entryItem(entry: BlocklistEntry, match: { pk: string; sk: string } | undefined, face?: IndexedFace): Record<string, unknown> {
  const scope = scopeOf(entry);
  const { indexes } = tableSchema;
  return {
    ...objectKey(scope, entry.id, BLOCKLIST_ENTRY_KIND),
    id: entry.id,
    [indexes.byScope.partitionKey]: listPartition(scope, BLOCKLIST_ENTRY_KIND),
    [indexes.byStatus.partitionKey]: filterPartition(scope, BLOCKLIST_ENTRY_KIND, 'status', entry.status),
    [indexes.byType.partitionKey]: filterPartition(scope, BLOCKLIST_ENTRY_KIND, 'type', entry.type),
    // The session's redaction finds its entries here (functions/redaction.ts).
    [indexes.byVerificationSession.partitionKey]: sessionCopiesPartition(scope, BLOCKLIST_ENTRY_KIND, entry.verification_session),
    verification_report: entry.verification_report,
    entry,
    // Where its match item is, while it has one: a keyed digest, no personal value.
    ...(match ? { match } : {}),
    // Where its face is in a Rekognition collection: kept until redaction has deleted it (a disabled entry's too).
    ...(face ? { face } : {}),
  };
}

const entryOfItem = (item: StoredItem): BlocklistEntry => item.entry as BlocklistEntry;

/**
 * Writes a new entry and, for one matched by a digest (a document, or a selfie under the stand-in),
 * its match item, with the saved response of an idempotent request (`also`), in one transaction;
 * a face in a Rekognition collection is remembered on the entry.
 */
export async function insertBlocklistEntry(entry: BlocklistEntry, by: IndexedFace | undefined, also: TransactItem[] = []): Promise<void> {
  const scope = scopeOf(entry);
  const digest = by && 'digest' in by ? by.digest : undefined;
  const match = digest === undefined ? undefined : matchKey(scope, digest, entry.id);
  await dynamo().send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName(),
            Item: entryItem(entry, match, by && 'collection' in by ? by : undefined),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...(match
          ? [{ Put: { TableName: tableName(), Item: { ...match, entry: entry.id }, ConditionExpression: 'attribute_not_exists(pk)' } }]
          : []),
        ...also,
      ],
    }),
  );
}

export async function getBlocklistEntry(scope: Scope, id: string): Promise<{ entry: BlocklistEntry; item: StoredItem } | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: objectKey(scope, id, BLOCKLIST_ENTRY_KIND), ConsistentRead: true }),
  );
  return Item ? { entry: entryOfItem(Item), item: Item } : undefined;
}

/**
 * Replaces the entry with `next` (disabled or redacted), conditional on the status it had when
 * read, and deletes its match item and any unfinished check job (functions/store/blocklist-checks.ts),
 * releasing the scope's running check it holds: one transaction. False when the entry changed in between.
 */
export async function replaceBlocklistEntry(item: StoredItem, next: BlocklistEntry, also?: TransactItem): Promise<boolean> {
  const previous = entryOfItem(item);
  try {
    // An unfinished check of existing verifications stops with it, and the scope's running check is released.
    await transactReleasingCheck(scopeOf(previous), previous.id, [
      {
        Put: {
          TableName: tableName(),
          // A redacted entry's face has been deleted from its collection (functions/flows/redaction.ts): nothing left to name.
          Item: entryItem(next, undefined, next.status === 'redacted' ? undefined : (item.face as IndexedFace | undefined)),
          ConditionExpression: '#entry.#status = :status',
          ExpressionAttributeNames: { '#entry': 'entry', '#status': 'status' },
          ExpressionAttributeValues: { ':status': previous.status },
        },
      },
      ...(item.match ? [{ Delete: { TableName: tableName(), Key: item.match } }] : []),
      // None: deleting nothing is no error.
      blocklistCheckDelete(scopeOf(previous), previous.id),
      ...(also ? [also] : []),
    ]);
    return true;
  } catch (error) {
    if (cancellationReasons(error)?.[0]?.code === 'ConditionalCheckFailed') return false;
    throw error;
  }
}

/** The active document entries of `scope` a document matches (at most 10 read: one is enough to block). */
export async function documentMatches(scope: Scope, document: DocumentIdentity): Promise<string[]> {
  await keyEncryptionKey();
  return digestMatches(scope, documentDigest(scope, document));
}

/** The entries whose match item holds `digest` (only active entries have one), at most 10. */
export async function digestMatches(scope: Scope, digest: string): Promise<string[]> {
  const pk = `${objectKey(scope, `${BLOCKLIST_MATCH_PREFIX}_${digest}`, '').pk}`;
  const { Items = [] } = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
      Limit: 10,
    }),
  );
  return Items.map((item) => item.entry as string).sort();
}

export interface BlocklistListQuery {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
  created?: CreatedRange;
  status?: string;
  type?: string;
  verificationReport?: string;
}

export function listBlocklistEntries(scope: Scope, query: BlocklistListQuery) {
  const indexQuery = filteredIndexQuery(scope, BLOCKLIST_ENTRY_KIND, BLOCKLIST_ENTRY_ID_PREFIX, [
    { index: 'byStatus', field: 'status', value: query.status },
    { index: 'byType', field: 'type', value: query.type },
  ]);
  return queryPage(
    {
      ...indexQuery,
      filters: [
        ...(indexQuery.filters ?? []),
        ...(query.verificationReport ? [{ attribute: 'verification_report', value: query.verificationReport }] : []),
      ],
    },
    query,
    entryOfItem,
  );
}

/** Thrown by the routes for an id that names no entry of the scope. */
export const entryMissing = (id: string) => resourceMissing('identity.blocklist_entry', id);

/** Of the entry ids `ids` of `scope`, those of active entries (one GetItem each: a search gives at most 10). */
export async function activeEntryIds(scope: Scope, ids: string[]): Promise<string[]> {
  const entries = await Promise.all(ids.map((id) => getBlocklistEntry(scope, id)));
  return entries.filter((stored) => stored?.entry.status === 'active').map((stored) => stored!.entry.id);
}
