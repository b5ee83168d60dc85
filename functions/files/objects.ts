/**
 * The FileStore's object side, without I/O: what an upload may be (types, size, how long its
 * policy lasts), where it is kept (its key under the session's scope), and what each adapter
 * implements (ObjectStore): S3 (./s3.ts) and a local folder (./local-folder.ts). The port itself,
 * with the table's descriptions, is functions/store/files.ts.
 */
import type { Scope } from '../domain/scope';

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

/**
 * An image as Textract's `Document` and Rekognition's `Image` take it: by S3 location in AWS (with
 * the exact `Version` submitted, when known), as bytes locally.
 */
export type CheckImage = { S3Object: { Bucket: string; Name: string; Version?: string } } | { Bytes: Uint8Array };

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
  /**
   * Which version of the key these bytes are (S3's `VersionId`): a presigned POST stays usable
   * until it expires, so the key may later hold other bytes; a submission pins this one.
   */
  version?: string;
}

/** Where bytes live: what each adapter implements, in keys (the FileStore below turns scopes and ids into keys). */
export interface ObjectStore {
  presignUpload(policy: UploadPolicy): Promise<PresignedUpload>;
  /** The object's current type, size, first `bytes` bytes and version; undefined if there is none. */
  inspect(key: string, bytes: number): Promise<UploadedObject | undefined>;
  /**
   * Marks that version of the object as named by a submission, so the rules that remove unclaimed
   * uploads leave it, and (locally) nothing may replace it. False if that version is gone.
   */
  markSubmitted(key: string, version: string | undefined): Promise<boolean>;
  /**
   * A short-lived URL that serves that version of the object to whoever holds it (S3: a presigned
   * GET), for an object too large to pass through a Lambda response; absent where every object can
   * be served inline (the local folder: the local runtime has no response limit).
   */
  downloadUrl?(key: string, version: string | undefined, seconds: number): Promise<string>;
  /**
   * That version of the object, whole; undefined if there is none. `version` undefined (a file
   * submitted before versions were recorded) reads the current one.
   */
  read(key: string, version: string | undefined): Promise<{ contentType: string | undefined; data: Uint8Array } | undefined>;
  /** That version of the object as the checks take it. */
  checkImage(key: string, version: string | undefined): Promise<CheckImage>;
  /** Deletes up to `limit` objects (each version of each) under `prefix`; `more` when some are left. */
  deleteUnder(prefix: string, limit: number): Promise<{ deleted: number; more: boolean }>;
  /**
   * Stores `data` at `key` as a submitted object (kept until redaction); its version. Only where
   * the checks themselves produce an image as bytes: a Face Liveness capture under `npm start`,
   * which has no output bucket (in AWS, Rekognition writes the images to the bucket itself).
   */
  put?(key: string, data: Uint8Array, contentType: string): Promise<{ version?: string }>;
}

/**
 * The largest image served in a response's body: Lambda's synchronous response is at most 6 MB
 * (6,291,456 bytes) and carries the body in base64 (4/3 larger). A larger one is answered with a
 * redirect to `downloadUrl`, valid DOWNLOAD_URL_SECONDS.
 */
export const MAX_INLINE_CONTENTS_BYTES = 4 * 1024 * 1024;
export const DOWNLOAD_URL_SECONDS = 60;

/**
 * The tag every upload carries from the start (`pending`), and submit changes to `submitted`: the
 * bucket's lifecycle rule (lib/uploads.ts) expires objects still `pending` a day after upload, so
 * an image no submission names does not outlive the day.
 */
export const UPLOAD_TAG = { key: 'verity-upload', pending: 'pending', submitted: 'submitted' } as const;
