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
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../domain/verification-session';
import { localFolderObjects } from '../files/local-folder';
import { s3Objects } from '../files/s3';
import { UPLOADS_BUCKET_ENV } from '../files/upload-origin';
import { dynamo } from './client';
import { filteredIndexQuery, queryPage, type PageQuery } from './list-page';
import { objectKey, tableName } from './schema';
import { FILE_INFO_KIND, FILE_KIND, type FileInfo, type StoredFile } from './submissions';
import { newObjectId } from '../wire/ids';

export type { FileInfo };
export { UPLOADS_BUCKET_ENV };

/** What an image is for, in Stripe's words (a File's `purpose`). */
export const UPLOAD_PURPOSES = ['identity_document', 'selfie'] as const;
export type UploadPurpose = (typeof UPLOAD_PURPOSES)[number];
/** The only types an upload may have: what Textract and Rekognition read. */
export const UPLOAD_CONTENT_TYPES = ['image/jpeg', 'image/png'] as const;
export type UploadContentType = (typeof UPLOAD_CONTENT_TYPES)[number];
/** The largest upload: 10 MB (10,485,760 bytes), Textract's synchronous limit for a document in S3. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
/** How long a presigned upload may be used. */
export const UPLOAD_POLICY_SECONDS = 10 * 60;
/** Every uploaded object's key starts with this: what IAM grants and the lifecycle rules name. */
export const UPLOADS_PREFIX = 'uploads/';

/** Where all of a session's uploads are, every attempt's: `uploads/{account}/{mode}/{vs_…}/`. */
export const sessionUploadsPrefix = (scope: Scope, sessionId: string) => `${UPLOADS_PREFIX}${scope.account}/${scope.mode}/${sessionId}/`;
/** The key of one upload: under its session and the attempt it was made for (`-` or the last report's `vr_…`). */
export const uploadKey = (scope: Scope, sessionId: string, attempt: string, fileId: string) =>
  `${sessionUploadsPrefix(scope, sessionId)}${attempt}/${fileId}`;
/** What a key of `uploadKey` looks like: nothing else is ever read, written or joined into a path. */
export const UPLOAD_KEY_PATTERN = /^uploads\/acct_[0-9A-Za-z]+\/(test|live)\/vs_[0-9A-Za-z]+\/(-|vr_[0-9A-Za-z]+)\/file_[0-9A-Za-z]+$/;

/** An image as Textract's `Document` and Rekognition's `Image` take it: by S3 location in AWS, as bytes locally. */
export type CheckImage = { S3Object: { Bucket: string; Name: string } } | { Bytes: Uint8Array };

/** What an upload may be: one key, one type, 1 byte to `maxBytes`, until `expires`. */
export interface UploadPolicy {
  key: string;
  contentType: UploadContentType;
  maxBytes: number;
  expires: Date;
}

/**
 * Where and how the browser uploads: a multipart/form-data POST to `url` with every field of
 * `fields` (in order), then the file as the last field, named `file` (S3's POST Object). `url` is
 * the bucket's regional endpoint in AWS, and a path on Verity's own host locally.
 */
export interface PresignedUpload {
  url: string;
  fields: Record<string, string>;
}

/** What is known of an uploaded object without reading all of it. */
export interface UploadedObject {
  /** The Content-Type it was uploaded with. */
  contentType: string | undefined;
  /** Bytes. */
  size: number;
  /** Its first bytes (at most as many as asked for): enough for the magic number. */
  start: Uint8Array;
}

/** Where bytes live: what each adapter implements, in keys (the FileStore below turns scopes and ids into keys). */
export interface ObjectStore {
  presignUpload(policy: UploadPolicy): Promise<PresignedUpload>;
  /** The object's type, size and first `bytes` bytes; undefined if there is none. */
  inspect(key: string, bytes: number): Promise<UploadedObject | undefined>;
  /** Marks the object as named by a submission, so the rule that removes unclaimed uploads a day later leaves it. */
  markSubmitted(key: string): Promise<void>;
  /** The whole object; undefined if there is none. */
  read(key: string): Promise<{ contentType: string | undefined; data: Uint8Array } | undefined>;
  /** The object as the checks take it. */
  checkImage(key: string): Promise<CheckImage>;
  /** Deletes up to `limit` objects (each version of each) under `prefix`; `more` when some are left. */
  deleteUnder(prefix: string, limit: number): Promise<{ deleted: number; more: boolean }>;
}

export interface FileListQuery extends PageQuery {
  purpose?: StoredFile['purpose'];
}

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
  /** The file's bytes and type; undefined if there is none. */
  contents(scope: Scope, id: string): Promise<Pick<StoredFile, 'content_type' | 'data'> | undefined>;
  /**
   * A new `file_…` id and a presigned upload of it, under the session's attempt, valid
   * UPLOAD_POLICY_SECONDS from `now`, for one `contentType` image of 1 to MAX_UPLOAD_BYTES bytes.
   */
  presignUpload(scope: Scope, upload: UploadRequest, now: Date): Promise<PresignedUpload & { file: string }>;
  /** The upload `id` of the session's attempt, if it arrived: its type, size and first `bytes` bytes. */
  inspectUpload(scope: Scope, upload: { session: string; attempt: string; id: string }, bytes: number): Promise<UploadedObject | undefined>;
  /** Marks a submitted file's object as referenced (kept past the day unclaimed uploads are kept). */
  markSubmitted(file: FileInfo): Promise<void>;
  /** The image for the checks; undefined if the file does not exist in this scope. */
  checkImage(scope: Scope, id: string): Promise<CheckImage | undefined>;
  /**
   * Deletes up to `limit` of the session's objects, every version of each, whatever attempt they
   * were uploaded for; `more` when some are left. Repeatable: a repeat deletes what is left.
   */
  deleteSessionObjects(scope: Scope, sessionId: string, limit: number): Promise<{ deleted: number; more: boolean }>;
}

const fileInfoOf = async (scope: Scope, id: string) =>
  (await dynamo().send(new GetCommand({ TableName: tableName(), Key: objectKey(scope, id, FILE_INFO_KIND) }))).Item?.info as FileInfo | undefined;

/** An image kept in a table item, as submissions before uploads stored it. */
const tableFileOf = async (scope: Scope, id: string) =>
  (await dynamo().send(new GetCommand({ TableName: tableName(), Key: objectKey(scope, id, FILE_KIND) }))).Item?.file as StoredFile | undefined;

/** The FileStore over `objects`: descriptions in the table, bytes in the object store (or, for old files, the table). */
export function fileStoreOver(objects: ObjectStore, newFileId: (now: Date) => string): FileStore {
  return {
    describe: fileInfoOf,
    list(scope, query) {
      return queryPage(
        filteredIndexQuery(scope, FILE_KIND, 'file', [{ index: 'byType', field: 'purpose', value: query.purpose }]),
        query,
        (item) => item.info as FileInfo,
      );
    },
    async contents(scope, id) {
      const info = await fileInfoOf(scope, id);
      if (info?.object_key) {
        const object = await objects.read(info.object_key);
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
    markSubmitted: async (file) => {
      if (file.object_key) await objects.markSubmitted(file.object_key);
    },
    async checkImage(scope, id) {
      const info = await fileInfoOf(scope, id);
      if (info?.object_key) return objects.checkImage(info.object_key);
      const file = await tableFileOf(scope, id);
      return file && { Bytes: file.data };
    },
    deleteSessionObjects: (scope, sessionId, limit) => objects.deleteUnder(sessionUploadsPrefix(scope, sessionId), limit),
  };
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
