/**
 * Verified documents, for duplicate detection: one small item per session verified with a document
 * (type, number and issuing country), in a partition keyed by the document's keyed digest (the
 * blocklist's HMAC under the account's index key, with a purpose of its own: never a plain hash,
 * functions/store/blocklist-entries.ts `documentDigest`). The sessions of one account and mode that
 * share a document are one Query on that partition; another account's digest differs (another
 * key), and its partition is under another scope. The item holds the session's id and nothing
 * personal; it is written with the verdict that verifies the session, deleted with an override
 * that un-verifies it, and deleted by the session's redaction (found by session, like every copy).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentIdentity, type DocumentIdentity } from '../domain/blocklist-entry';
import type { Scope } from '../domain/scope';
import { documentDigest } from './blocklist-entries';
import { dynamo } from './client';
import { keyEncryptionKey } from './key-encryption-key';
import { objectKey, sessionCopiesPartition, tableName, tableSchema } from './schema';
import { deleteItem, type TransactItem } from './transaction-items';

export const VERIFIED_DOCUMENT_KIND = 'verified_document';
/** The id prefix of the digests' partitions, `ivd_<digest>`: IAM names them as objects of this kind. */
export const VERIFIED_DOCUMENT_PREFIX = 'ivd';
/** At most this many other sessions are named: one is enough to flag a duplicate. */
export const MAX_DUPLICATES = 10;

const partitionId = (scope: Scope, document: DocumentIdentity) =>
  `${VERIFIED_DOCUMENT_PREFIX}_${documentDigest(scope, document, 'verified')}`;
const itemKey = (scope: Scope, document: DocumentIdentity, session: string) =>
  objectKey(scope, partitionId(scope, document), `${VERIFIED_DOCUMENT_KIND}#${session}`);

/** A document as the checks or a report read it: its type, number and issuing country. */
type ReadDocument = Parameters<typeof documentIdentity>[0];

/**
 * The write that records (`verified`) or forgets a session's verified document, for a change's
 * transaction; none when the checks read no document identity. The KEK must be loaded (it is,
 * once the session was read).
 */
export function verifiedDocumentWrite(scope: Scope, session: string, document: ReadDocument, verified: boolean): TransactItem[] {
  const identity = documentIdentity(document);
  if (!identity) return [];
  const key = itemKey(scope, identity, session);
  if (!verified) return [deleteItem(key)];
  const { indexes } = tableSchema;
  return [
    {
      Put: {
        TableName: tableName(),
        Item: {
          ...key,
          id: partitionId(scope, identity),
          verification_session: session,
          // The session's redaction finds it here and deletes it (functions/flows/redaction.ts).
          [indexes.byVerificationSession.partitionKey]: sessionCopiesPartition(scope, VERIFIED_DOCUMENT_KIND, session),
        },
      },
    },
  ];
}

/** The other sessions of `scope` verified with this document, by id (at most MAX_DUPLICATES): one Query. */
export async function sessionsWithDocument(scope: Scope, document: ReadDocument, except: string): Promise<string[]> {
  const identity = documentIdentity(document);
  if (!identity) return [];
  await keyEncryptionKey();
  const { Items = [] } = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': objectKey(scope, partitionId(scope, identity), '').pk },
      Limit: MAX_DUPLICATES + 1,
    }),
  );
  return Items.map((item) => item.verification_session as string)
    .filter((id) => id !== except)
    .slice(0, MAX_DUPLICATES)
    .sort();
}

/**
 * The partition id (`ivd_<keyed digest>`) of the sessions of `scope` verified with `document`: what a
 * blocklist check walks (functions/store/blocklist-checks.ts). Undefined for no document identity.
 * The KEK must be loaded.
 */
export function verifiedDocumentsPartition(scope: Scope, document: ReadDocument): string | undefined {
  const identity = documentIdentity(document);
  return identity && partitionId(scope, identity);
}

/**
 * One page of the session ids in the verified documents partition `partition` of `scope`, in id
 * order, after the session id `after`; `next` is the last id when more may follow.
 */
export async function pageOfVerifiedSessions(
  scope: Scope,
  partition: string,
  after: string | undefined,
  limit: number,
): Promise<{ sessions: string[]; next?: string }> {
  const { pk } = objectKey(scope, partition, '');
  const { Items = [], LastEvaluatedKey } = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ...(after ? { ExclusiveStartKey: { pk, sk: `${VERIFIED_DOCUMENT_KIND}#${after}` } } : {}),
      ConsistentRead: true,
      Limit: limit,
    }),
  );
  const sessions = Items.map((item) => item.verification_session as string);
  return { sessions, ...(LastEvaluatedKey && sessions.length > 0 ? { next: sessions.at(-1) } : {}) };
}
