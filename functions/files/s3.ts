/**
 * The FileStore's S3 adapter: the stack's uploads bucket (lib/uploads.ts). Browsers upload with a
 * presigned POST whose policy S3 enforces (size, type, key, tag); the functions read an object's
 * first bytes and VersionId with a ranged GetObject, tag that version when a submission names it,
 * and from then on name that version in every call (the checks' S3Object.Version, GetObject and
 * the presigned GET's versionId), so bytes posted to the key later are never what is checked or
 * shown; redaction deletes every version of a session's objects.
 * Sources: POST policies https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html;
 * GetObject ranges, PutObjectTagging, ListObjectVersions and DeleteObjects in the S3 API Reference.
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutObjectTaggingCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { UPLOAD_TAG, type ObjectStore } from './objects';

/** The `tagging` form field of a POST upload: S3's Tagging XML. */
const PENDING_TAGGING = `<Tagging><TagSet><Tag><Key>${UPLOAD_TAG.key}</Key><Value>${UPLOAD_TAG.pending}</Value></Tag></TagSet></Tagging>`;

/** DeleteObjects takes at most 1,000 keys; ListObjectVersions answers at most 1,000. */
const S3_BATCH = 1000;

let shared: S3Client | undefined;
/** One client per container, created on first use (region and credentials from Lambda's environment). */
const s3 = () => (shared ??= new S3Client({}));

const isMissing = (error: unknown) =>
  error instanceof S3ServiceException &&
  (error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404);

export function s3Objects(bucket: string, client: () => S3Client = s3): ObjectStore {
  return {
    async presignUpload(policy) {
      const { url, fields } = await createPresignedPost(client(), {
        Bucket: bucket,
        Key: policy.key,
        Conditions: [
          ['content-length-range', 1, policy.maxBytes],
          ['eq', '$Content-Type', policy.contentType],
          ['eq', '$key', policy.key],
          ['eq', '$tagging', PENDING_TAGGING],
        ],
        Fields: { 'Content-Type': policy.contentType, tagging: PENDING_TAGGING },
        Expires: Math.max(1, Math.floor((policy.expires.getTime() - Date.now()) / 1000)),
      });
      return { url, fields };
    },
    async inspect(key, bytes) {
      try {
        const object = await client().send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${bytes - 1}` }));
        const start = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
        // `bytes 0-15/48213`: the total after the slash. A 200 (no range applied) has the whole length.
        const total = /\/(\d+)$/.exec(object.ContentRange ?? '')?.[1];
        return {
          contentType: object.ContentType,
          size: total !== undefined ? Number(total) : (object.ContentLength ?? start.length),
          start: start.subarray(0, bytes),
          // The version these bytes are: what submit pins (the bucket is versioned, so S3 always answers one).
          ...(object.VersionId ? { version: object.VersionId } : {}),
        };
      } catch (error) {
        if (isMissing(error)) return undefined;
        // An empty object has no byte 0: S3 answers 416 InvalidRange.
        if (error instanceof S3ServiceException && error.name === 'InvalidRange')
          return { contentType: undefined, size: 0, start: new Uint8Array() };
        throw error;
      }
    },
    async markSubmitted(key, version) {
      // Tags are per version: this tags the version that was inspected, not whatever a later POST
      // to the same key (its policy lasts 10 minutes) made current, which stays `pending`.
      try {
        await client().send(
          new PutObjectTaggingCommand({
            Bucket: bucket,
            Key: key,
            VersionId: version,
            Tagging: { TagSet: [{ Key: UPLOAD_TAG.key, Value: UPLOAD_TAG.submitted }] },
          }),
        );
        return true;
      } catch (error) {
        if (isMissing(error) || (error instanceof S3ServiceException && error.name === 'NoSuchVersion')) return false;
        throw error;
      }
    },
    async read(key, version) {
      try {
        const object = await client().send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: version }));
        return { contentType: object.ContentType, data: (await object.Body?.transformToByteArray()) ?? new Uint8Array() };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    checkImage: async (key, version) => ({ S3Object: { Bucket: bucket, Name: key, ...(version ? { Version: version } : {}) } }),
    // Signed with this function's role, which may GetObject under the prefix and decrypt. S3
    // answers with the headers the inline answer has: a download, never shown in the S3 origin
    // (whatever bytes the key holds), and kept by no cache.
    downloadUrl: (key, version, seconds) =>
      getSignedUrl(
        client(),
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          VersionId: version,
          ResponseContentDisposition: 'attachment',
          ResponseCacheControl: 'no-store',
        }),
        { expiresIn: seconds },
      ),
    async deleteUnder(prefix, limit) {
      const listed = await client().send(
        new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, MaxKeys: Math.min(limit, S3_BATCH) }),
      );
      // Delete markers too: a versioned bucket keeps one where an object was deleted without its version.
      const versions = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])]
        .filter((version) => version.Key?.startsWith(prefix))
        .map(({ Key, VersionId }) => ({ Key: Key!, VersionId }));
      if (versions.length) {
        const result = await client().send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: versions, Quiet: true } }));
        if (result.Errors?.length) {
          const [first] = result.Errors;
          throw new Error(
            `S3 kept ${result.Errors.length} of ${versions.length} object versions (${first!.Code}: ${first!.Message}); the next run ` +
              `deletes them`,
          );
        }
      }
      return { deleted: versions.length, more: listed.IsTruncated === true };
    },
  };
}
