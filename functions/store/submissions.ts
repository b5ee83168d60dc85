/**
 * What a person submitted on the verification page: the submission (read by the checks from the
 * table's stream) and a description of each image (`file_info`), whose bytes are an object in the
 * file store (functions/store/files.ts). The submission is removed when its checks conclude; the
 * images stay with the session's reports until the session is redacted. Submissions made before
 * uploads kept each image in a `file` item of the table, which is still read until it is redacted.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Submission } from '../domain/verification-checks';
import { dynamo, type StoredItem } from './client';
import type { Scope } from '../domain/scope';
import { expiresAt, listPartition, objectKey, sessionCopiesPartition, tableName, tableSchema } from './schema';
import { loadSessionKeys, openedAttribute, sealedAttribute } from './session-keys';

export const SUBMISSION_KIND = 'submission';
export const FILE_KIND = 'file';
/**
 * A file's description without its bytes: what the Files API lists (by_scope, and by purpose in
 * by_type), a few hundred bytes each. The bytes are an object in the file store (`object_key`),
 * or, for an image submitted before uploads, the `file` item beside it.
 */
export const FILE_INFO_KIND = 'file_info';

/** An image kept in the table (before uploads): one `file` item, read by the Files API until it is redacted. */
export interface StoredFile {
  id: string;
  session: string;
  purpose: 'identity_document' | 'selfie';
  content_type: 'image/jpeg' | 'image/png';
  /**
   * When the verification was submitted for processing (epoch seconds), seconds before its
   * report: the start of the 48 hours a key without allowed IPs may read the contents. The
   * Files API's `created` is the id's time (the upload), which its `created` filter selects by.
   */
  created: number;
  data: Uint8Array;
}

export const submissionKey = (scope: Scope, id: string) => objectKey(scope, id, SUBMISSION_KIND);

/**
 * A submission not concluded within this long is given up (its checks failed past every retry of
 * the stream, which keeps records 24 hours): DynamoDB's TTL removes it and the checks worker
 * concludes its session as failed, so no session stays `processing` for good.
 */
export const SUBMISSION_LIFETIME_SECONDS = 25 * 60 * 60;

/**
 * The submission's item. What the person typed (the ID number, their name and date of birth) is
 * sealed under the session's key (session-keys.ts): `submission` holds the rest (ids, the files'
 * ids, test choices), `submission_sealed` what differs from it (session-keys.ts `sealedPart`).
 */
export function submissionItem(scope: Scope, submission: Submission, now: Date) {
  const key = submissionKey(scope, submission.id);
  const { id_number: _number, person_details: _person, ...clear } = submission;
  return {
    ...key,
    id: submission.id,
    scope,
    ...sealedAttribute(key, 'submission', submission, clear as Submission, scope, submission.session),
    [tableSchema.timeToLiveAttribute]: expiresAt(now, SUBMISSION_LIFETIME_SECONDS),
  };
}

/** A `file` item as submissions before uploads wrote it (tests write them to prove they are still read and redacted). */
export function fileItem(scope: Scope, file: StoredFile) {
  return {
    ...objectKey(scope, file.id, FILE_KIND),
    id: file.id,
    [tableSchema.indexes.byVerificationSession.partitionKey]: sessionCopiesPartition(scope, FILE_KIND, file.session),
    file,
  };
}

/** What the Files API shows of a file, the session it belongs to, and where its bytes are. */
export interface FileInfo extends Omit<StoredFile, 'data'> {
  /** Bytes. */
  size: number;
  /** The object in the file store that holds the image; absent for an image kept in a `file` item. */
  object_key?: string;
  /**
   * The version of `object_key` that was submitted (S3's `VersionId`): what the checks read and
   * the Files API serves, whatever is posted to the key afterwards. Absent for files submitted
   * before versions were recorded (their current version is read).
   */
  object_version?: string;
  /**
   * Pixels, as the image's header declared them when it was submitted, checked to be at most
   * MAX_IMAGE_SIDE_PIXELS a side (functions/domain/image-signature.ts). Absent for files submitted
   * before sizes were checked: the console does not show those inline.
   */
  width?: number;
  height?: number;
}

/** The file's description item (FILE_INFO_KIND), written with the submission and redacted with it. */
export function fileInfoItem(scope: Scope, info: FileInfo) {
  const { indexes } = tableSchema;
  return {
    ...objectKey(scope, info.id, FILE_INFO_KIND),
    id: info.id,
    [indexes.byScope.partitionKey]: listPartition(scope, FILE_KIND),
    [indexes.byType.partitionKey]: listPartition(scope, FILE_KIND, { field: 'purpose', value: info.purpose }),
    [indexes.byVerificationSession.partitionKey]: sessionCopiesPartition(scope, FILE_INFO_KIND, info.session),
    info,
  };
}

/** The submission a stream record of a new submission item carries, if it is one. */
export function submissionOfItem(item: StoredItem): { scope: Scope; submission: Submission } | undefined {
  if (item.sk !== SUBMISSION_KIND) return undefined;
  const scope = item.scope as Scope;
  return { scope, submission: openedAttribute<Submission>(item, 'submission', scope, (item.submission as Submission).session) };
}

/**
 * Loads the keys of the sessions of these submission items, read again (`fresh`: a submission
 * cannot tell that its session was redacted since, session-keys.ts); other items are passed over.
 */
export const loadSubmissionKeys = (items: StoredItem[]) =>
  loadSessionKeys(
    items
      .filter((item) => item.sk === SUBMISSION_KIND)
      .map((item) => ({ scope: item.scope as Scope, id: (item.submission as Submission).session })),
    { fresh: true },
  );

export async function getSubmission(scope: Scope, id: string): Promise<Submission | undefined> {
  return (await readSubmission(scope, id))?.submission;
}

/**
 * The submission and its stored item (a review hold writes the item again: functions/store/review-queue.ts),
 * with `review_held` (epoch seconds) when the review policy holds its verdict for a person.
 */
export async function readSubmission(
  scope: Scope,
  id: string,
): Promise<{ submission: Submission; item: StoredItem; review_held?: number } | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: submissionKey(scope, id), ConsistentRead: true }));
  if (!Item) return undefined;
  await loadSubmissionKeys([Item]);
  const { submission } = submissionOfItem(Item)!;
  return { submission, item: Item, ...(typeof Item.review_held === 'number' ? { review_held: Item.review_held } : {}) };
}
