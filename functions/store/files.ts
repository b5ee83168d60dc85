/**
 * The FileStore port: a verification's images, whatever holds them. The page uploads each image
 * straight to the store with a presigned POST (S3's form upload: fields, then the file), submit
 * checks what arrived, the Files API and the checks read it, and redaction deletes it.
 *
 * Two adapters hold the bytes, chosen by the environment, never by a handler:
 * - **S3** (functions/files/s3.ts) when `VERITY_UPLOADS_BUCKET` names the stack's bucket (set by CDK);
 * - **a local folder** (functions/files/local-folder.ts) when `VERITY_FILES_DIR` names one (set by
 *   the local runtime), behind an upload route that enforces the same policy (local/upload-route.ts).
 *
 * Descriptions (`file_info` items, no bytes) stay in the table, written with the submission
 * (functions/store/submissions.ts), so the Files API lists and describes files the same way in
 * both places. Images submitted before uploads existed are `file` items of the table: their
 * contents are still read from there until the item is redacted.
 */
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../domain/scope';
import { localFolderObjects } from '../files/local-folder';
import {
  DOWNLOAD_URL_SECONDS,
  MAX_INLINE_CONTENTS_BYTES,
  MAX_UPLOAD_BYTES,
  sessionUploadsPrefix,
  UPLOAD_POLICY_SECONDS,
  uploadKey,
} from '../files/objects';
import type { CheckImage, ObjectStore, PresignedUpload, UploadContentType, UploadedObject, UploadPurpose } from '../files/objects';
import { s3Objects } from '../files/s3';
import { UPLOADS_BUCKET_ENV } from '../files/upload-origin';
import { newObjectId } from '../domain/ids';
import { IMAGE_HEADER_BYTES, readImageHeader } from '../domain/image-signature';
import { dynamo, writeUnlessConditionFails } from './client';
import { describeFile, listFiles, tableFileOf, type FileListQuery } from './file-descriptions';
import { objectKey, sessionCopiesPartition, tableName, tableSchema } from './schema';
import type { FileInfo, StoredFile } from './submissions';
import { cancellationReasons, type TransactItem } from './transaction-items';

export type { FileInfo, FileListQuery };
export { UPLOADS_BUCKET_ENV };
// What upload, submit and the checks need of the port, in one place.
export * from '../files/objects';

export type FileContents = Pick<StoredFile, 'content_type'> & ({ data: Uint8Array } | { url: string });

/** One upload asked for by the page: for which session and attempt, and what it will be. */
export interface UploadRequest {
  session: string;
  attempt: string;
  purpose: UploadPurpose;
  contentType: UploadContentType;
}

export interface FileStore {
  /** The file `id` of `scope`, without its bytes; undefined if there is none. */
  describe(scope: Scope, id: string): Promise<FileInfo | undefined>;
  /** A page of the scope's files, newest first (Stripe's list order and cursors). */
  list(scope: Scope, query: FileListQuery): Promise<{ data: FileInfo[]; hasMore: boolean }>;
  /**
   * The file's type and bytes, or, for an image too large for a response's body
   * (MAX_INLINE_CONTENTS_BYTES) in a store that can link to it, a URL that serves it for
   * DOWNLOAD_URL_SECONDS; undefined if there is none.
   */
  contents(scope: Scope, id: string): Promise<FileContents | undefined>;
  /**
   * A new `file_…` id and a presigned upload of it, under the session's attempt, valid
   * UPLOAD_POLICY_SECONDS from `now`, for one `contentType` image of 1 to MAX_UPLOAD_BYTES bytes.
   */
  presignUpload(scope: Scope, upload: UploadRequest, now: Date): Promise<PresignedUpload & { file: string }>;
  /** The upload `id` of the session's attempt, if it arrived: its type, size and first `bytes` bytes. */
  inspectUpload(scope: Scope, upload: { session: string; attempt: string; id: string }, bytes: number): Promise<UploadedObject | undefined>;
  /**
   * Marks the submitted version of a file's object as referenced (kept past the day unclaimed
   * uploads are kept); false if that version is gone (replaced before it could be marked, locally).
   */
  markSubmitted(file: FileInfo): Promise<boolean>;
  /** The image for the checks; undefined if the file does not exist in this scope. */
  checkImage(scope: Scope, id: string): Promise<CheckImage | undefined>;
  /**
   * Deletes up to `limit` of the session's objects, every version of each, whatever attempt they
   * were uploaded for; `more` when some are left. Repeatable: a repeat deletes what is left.
   */
  deleteSessionObjects(scope: Scope, sessionId: string, limit: number): Promise<{ deleted: number; more: boolean }>;
  /**
   * A selfie the checks captured themselves (a Face Liveness reference or audit image) as a file of
   * the session's attempt, described like an upload (its header read for type and size): an object
   * Rekognition wrote to the bucket is named where it is; bytes are stored under the attempt's
   * prefix. Undefined when the image is not a JPEG or PNG, or is gone. The description is the
   * caller's to write (with the verdict).
   */
  keepCapture(
    scope: Scope,
    at: { session: string; attempt: string; created: number },
    image: CheckImage,
    now: Date,
  ): Promise<FileInfo | undefined>;
}

/** The FileStore over `objects`: descriptions in the table, bytes in the object store (or, for old files, the table). */
export function fileStoreOver(objects: ObjectStore, newFileId: (now: Date) => string): FileStore {
  return {
    describe: describeFile,
    list: listFiles,
    async contents(scope, id) {
      const info = await describeFile(scope, id);
      if (info?.object_key) {
        if (info.size > MAX_INLINE_CONTENTS_BYTES && objects.downloadUrl) {
          return {
            content_type: info.content_type,
            url: await objects.downloadUrl(info.object_key, info.object_version, DOWNLOAD_URL_SECONDS),
          };
        }
        const object = await objects.read(info.object_key, info.object_version);
        return object && { content_type: info.content_type, data: object.data };
      }
      const file = await tableFileOf(scope, id);
      return file && { content_type: file.content_type, data: file.data };
    },
    async presignUpload(scope, upload, now) {
      const file = newFileId(now);
      const presigned = await objects.presignUpload({
        key: uploadKey(scope, upload.session, upload.attempt, file),
        contentType: upload.contentType,
        maxBytes: MAX_UPLOAD_BYTES,
        expires: new Date(now.getTime() + UPLOAD_POLICY_SECONDS * 1000),
      });
      return { file, ...presigned };
    },
    inspectUpload: (scope, upload, bytes) => objects.inspect(uploadKey(scope, upload.session, upload.attempt, upload.id), bytes),
    markSubmitted: async (file) => (file.object_key ? objects.markSubmitted(file.object_key, file.object_version) : true),
    async checkImage(scope, id) {
      const info = await describeFile(scope, id);
      if (info?.object_key) return objects.checkImage(info.object_key, info.object_version);
      const file = await tableFileOf(scope, id);
      return file && { Bytes: file.data };
    },
    deleteSessionObjects: (scope, sessionId, limit) => objects.deleteUnder(sessionUploadsPrefix(scope, sessionId), limit),
    async keepCapture(scope, at, image, now) {
      const id = newFileId(now);
      let data: Uint8Array;
      let key: string;
      let version: string | undefined;
      if ('Bytes' in image) {
        data = image.Bytes;
        key = uploadKey(scope, at.session, at.attempt, id);
      } else {
        const object = await objects.read(image.S3Object.Name, image.S3Object.Version);
        if (!object) return undefined;
        data = object.data;
        key = image.S3Object.Name;
        version = image.S3Object.Version;
      }
      const header = readImageHeader(data.subarray(0, IMAGE_HEADER_BYTES));
      if ('problem' in header) return undefined;
      if ('Bytes' in image) {
        if (!objects.put) throw new Error('This file store cannot keep captured images.');
        ({ version } = await objects.put(key, data, header.type));
      }
      return {
        id,
        session: at.session,
        purpose: 'selfie',
        content_type: header.type,
        width: header.width,
        height: header.height,
        created: at.created,
        size: data.byteLength,
        object_key: key,
        ...(version ? { object_version: version } : {}),
      };
    },
  };
}

/**
 * The most uploads one attempt of a session may have presigned in one UTC day. The page sends
 * at most three photos a try (front, back, selfie), so 30 are ten tries; unbounded, anyone
 * holding a page cookie could presign without end, each upload up to 10 MB kept a day by the
 * unsubmitted-upload rule. With the bound an attempt holds at most 30 x 10 MB a day.
 */
export const MAX_UPLOADS_PER_ATTEMPT_DAY = 30;
/** The table item that counts an attempt's presigned uploads of one day (no personal data; TTL removes it the day after). */
export const UPLOAD_COUNT_KIND = 'upload_count';

const DAY_SECONDS = 24 * 60 * 60;

/**
 * Counts one presigned upload for the session's attempt, if the attempt has had fewer than
 * MAX_UPLOADS_PER_ATTEMPT_DAY today (UTC): one conditional ADD on the attempt's count item, so the
 * bound is exact however many requests race. Refused: `retryAfterSeconds`, until the next UTC day.
 * The item sits in the session's partition and in its `byVerificationSession` copies (kind
 * UPLOAD_COUNT_KIND), and expires by TTL the day after its day. With `guard` (another conditional write,
 * such as a capture nonce's spending) the count and the guard are written in one transaction, or
 * neither: refused by the guard, `{ admitted: false, guard: true }`.
 */
export async function admitUpload(
  scope: Scope,
  upload: { session: string; attempt: string },
  now: Date,
  guard?: TransactItem,
): Promise<{ admitted: true } | { admitted: false; retryAfterSeconds: number } | { admitted: false; guard: true }> {
  const seconds = Math.floor(now.getTime() / 1000);
  const day = Math.floor(seconds / DAY_SECONDS);
  const id = `${UPLOAD_COUNT_KIND}#${upload.attempt}#${day}`;
  const count = {
    TableName: tableName(),
    Key: objectKey(scope, upload.session, id),
    UpdateExpression: 'ADD #count :one SET #id = :id, #copies = :copies, #ttl = :ttl',
    ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
    ExpressionAttributeNames: {
      '#count': 'presigned',
      '#id': 'id',
      '#copies': tableSchema.indexes.byVerificationSession.partitionKey,
      '#ttl': tableSchema.timeToLiveAttribute,
    },
    ExpressionAttributeValues: {
      ':one': 1,
      ':max': MAX_UPLOADS_PER_ATTEMPT_DAY,
      ':id': id,
      ':copies': sessionCopiesPartition(scope, UPLOAD_COUNT_KIND, upload.session),
      ':ttl': (day + 2) * DAY_SECONDS,
    },
  };
  const refused = { admitted: false as const, retryAfterSeconds: (day + 1) * DAY_SECONDS - seconds };
  if (!guard) return (await writeUnlessConditionFails(new UpdateCommand(count))) ? { admitted: true } : refused;
  // With a guard (a capture nonce spent: store/capture-nonces.ts), both or neither are written.
  try {
    await dynamo().send(new TransactWriteCommand({ TransactItems: [{ Update: count }, guard] }));
    return { admitted: true };
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    if (reasons[1]?.code === 'ConditionalCheckFailed') return { admitted: false, guard: true };
    if (reasons[0]?.code === 'ConditionalCheckFailed') return refused;
    throw error;
  }
}

/** The environment variable the local runtime sets: the folder that holds uploads. */
export const FILES_DIR_ENV = 'VERITY_FILES_DIR';

let configured: { setting: string; store: FileStore } | undefined;

/**
 * The store for this process: S3 when `VERITY_UPLOADS_BUCKET` is set, else the local folder
 * `VERITY_FILES_DIR`. Throws when neither is set (a function deployed without its grant, or a
 * runtime that did not set up its folder), rather than losing an image.
 */
export function fileStore(): FileStore {
  const bucket = process.env[UPLOADS_BUCKET_ENV];
  const folder = process.env[FILES_DIR_ENV];
  const setting = bucket ? `s3:${bucket}` : folder ? `dir:${folder}` : '';
  if (!setting) throw new Error(`No file store: set ${UPLOADS_BUCKET_ENV} (the uploads bucket) or ${FILES_DIR_ENV} (a local folder).`);
  if (configured?.setting !== setting) {
    configured = { setting, store: fileStoreOver(bucket ? s3Objects(bucket) : localFolderObjects(folder!), newFileIdAt) };
  }
  return configured.store;
}

const newFileIdAt = (now: Date) => newObjectId('file', now.getTime());
