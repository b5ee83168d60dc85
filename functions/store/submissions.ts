/**
 * What a person submitted on the verification page: the submission (read by the checks from the
 * table's stream) and its images, one file item each. The submission is removed when its checks
 * conclude; the images stay with the session's reports until the session is redacted.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Submission } from '../domain/verification-checks';
import { dynamo } from './client';
import type { Scope } from '../domain/verification-session';
import { expiresAt, listPartition, objectKey, sessionCopiesPartition, tableName, tableSchema } from './schema';

export const SUBMISSION_KIND = 'submission';
export const FILE_KIND = 'file';
/**
 * A file's description without its bytes, beside its `file` item: what the Files API lists
 * (by_scope, and by purpose in by_type). A list index projects whole items, so a page of images
 * would read up to 380 KB an item; a page of these reads a few hundred bytes each.
 */
export const FILE_INFO_KIND = 'file_info';

/** DynamoDB's item limit is 400 KB; an image must leave room for the item's other attributes. */
export const MAX_FILE_BYTES = 380_000;

export interface StoredFile {
  id: string;
  session: string;
  purpose: 'identity_document' | 'selfie';
  content_type: 'image/jpeg' | 'image/png';
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

export function submissionItem(scope: Scope, submission: Submission, now: Date) {
  return {
    ...submissionKey(scope, submission.id),
    id: submission.id,
    scope,
    submission,
    [tableSchema.timeToLiveAttribute]: expiresAt(now, SUBMISSION_LIFETIME_SECONDS),
  };
}

export function fileItem(scope: Scope, file: StoredFile) {
  return {
    ...objectKey(scope, file.id, FILE_KIND),
    id: file.id,
    [tableSchema.indexes.byVerificationSession.partitionKey]: sessionCopiesPartition(scope, FILE_KIND, file.session),
    file,
  };
}

/** What the Files API shows of a file, and the session it belongs to. */
export type FileInfo = Omit<StoredFile, 'data'> & { size: number };

/** The file's description item (FILE_INFO_KIND), written with its `file` item and redacted with it. */
export function fileInfoItem(scope: Scope, file: StoredFile) {
  const { data, ...described } = file;
  const info: FileInfo = { ...described, size: data.length };
  const { indexes } = tableSchema;
  return {
    ...objectKey(scope, file.id, FILE_INFO_KIND),
    id: file.id,
    [indexes.byScope.partitionKey]: listPartition(scope, FILE_KIND),
    [indexes.byType.partitionKey]: listPartition(scope, FILE_KIND, { field: 'purpose', value: file.purpose }),
    [indexes.byVerificationSession.partitionKey]: sessionCopiesPartition(scope, FILE_INFO_KIND, file.session),
    info,
  };
}

/** The submission a stream record of a new submission item carries, if it is one. */
export function submissionOfItem(item: Record<string, any>): { scope: Scope; submission: Submission } | undefined {
  return item.sk === SUBMISSION_KIND ? { scope: item.scope as Scope, submission: item.submission as Submission } : undefined;
}

export async function getSubmission(scope: Scope, id: string): Promise<Submission | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: submissionKey(scope, id), ConsistentRead: true }));
  return Item?.submission as Submission | undefined;
}
