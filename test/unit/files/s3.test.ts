/**
 * The FileStore's S3 adapter against aws-sdk-client-mock, with S3's documented response shapes:
 * the presigned POST's fields and policy (conditions, expiry, SigV4 signature recomputed here),
 * the ranged GetObject that reads an upload's first bytes and size, the tag a submission sets,
 * and what a missing object reads as.
 */
import { GetObjectCommand, NoSuchKey, PutObjectTaggingCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { UPLOAD_TAG } from '../../../functions/files/objects';
import { s3Objects } from '../../../functions/files/s3';
import { uploadOrigin } from '../../../functions/files/upload-origin';
import { MAX_UPLOAD_BYTES, UPLOAD_POLICY_SECONDS } from '../../../functions/store/files';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const client = new S3Client({ region: 'eu-west-1', credentials });
const store = s3Objects('verity-uploads', () => client);
const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const KEY = 'uploads/acct_1/test/vs_1/-/file_1';
/** A VersionId as S3 answers one (the bucket is versioned). */
const VERSION = '3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY';
const body = (bytes: number[]) => sdkStreamMixin(Readable.from([Buffer.from(bytes)]));
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

describe('the S3 adapter', () => {
  it('presigns a POST for one key, one type, 1 byte to 10 MB, tagged pending, for 10 minutes, signed with SigV4', async () => {
    const now = Date.now();
    const { url, fields } = await store.presignUpload({
      key: KEY,
      contentType: 'image/png',
      maxBytes: MAX_UPLOAD_BYTES,
      expires: new Date(now + UPLOAD_POLICY_SECONDS * 1000),
    });
    expect(url).toBe('https://verity-uploads.s3.eu-west-1.amazonaws.com/');
    expect(fields).toMatchObject({
      key: KEY,
      'Content-Type': 'image/png',
      tagging: `<Tagging><TagSet><Tag><Key>${UPLOAD_TAG.key}</Key><Value>pending</Value></Tag></TagSet></Tagging>`,
      bucket: 'verity-uploads',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': expect.stringMatching(/^AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request$/),
    });
    const policy = JSON.parse(Buffer.from(fields.Policy!, 'base64').toString('utf8')) as { expiration: string; conditions: unknown[] };
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 1, 10_485_760],
        ['eq', '$Content-Type', 'image/png'],
        ['eq', '$key', KEY],
        ['eq', '$tagging', fields.tagging],
        { bucket: 'verity-uploads' },
      ]),
    );
    const expiresIn = (Date.parse(policy.expiration) - now) / 1000;
    expect(expiresIn).toBeGreaterThan(UPLOAD_POLICY_SECONDS - 5);
    expect(expiresIn).toBeLessThanOrEqual(UPLOAD_POLICY_SECONDS);
    // AWS's POST signature: HMAC of the base64 policy with the SigV4 signing key of the day, region and s3.
    const day = fields['X-Amz-Date']!.slice(0, 8);
    const signingKey = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), 'eu-west-1'), 's3'), 'aws4_request');
    expect(fields['X-Amz-Signature']).toBe(hmac(signingKey, fields.Policy!).toString('hex'));
    // The page's CSP allows exactly this origin.
    process.env.VERITY_UPLOADS_BUCKET = 'verity-uploads';
    const region = process.env.AWS_REGION;
    process.env.AWS_REGION = 'eu-west-1';
    try {
      expect(uploadOrigin()).toBe(new URL(url).origin);
    } finally {
      delete process.env.VERITY_UPLOADS_BUCKET;
      process.env.AWS_REGION = region;
    }
  });

  it("reads an upload's type, size and first bytes with one ranged GetObject", async () => {
    s3.on(GetObjectCommand, { Bucket: 'verity-uploads', Key: KEY, Range: 'bytes=0-7' }).resolves({
      Body: body([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]),
      ContentType: 'image/jpeg',
      ContentLength: 8,
      ContentRange: 'bytes 0-7/2483911',
      AcceptRanges: 'bytes',
      ETag: '"6805f2cfc46c0f04559748bb039d69ae"',
      VersionId: VERSION,
    });
    expect(await store.inspect(KEY, 8)).toEqual({
      contentType: 'image/jpeg',
      size: 2_483_911,
      start: Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]),
      version: VERSION,
    });
    // An object smaller than the range: S3 answers what there is, with its whole size.
    s3.on(GetObjectCommand, { Key: 'uploads/acct_1/test/vs_1/-/file_2' }).resolves({
      Body: body([0x89, 0x50]),
      ContentType: 'image/png',
      ContentLength: 2,
      ContentRange: 'bytes 0-1/2',
    });
    expect(await store.inspect('uploads/acct_1/test/vs_1/-/file_2', 8)).toMatchObject({ size: 2, start: Uint8Array.from([0x89, 0x50]) });
  });

  it('reads a missing object as none, and an empty one as 0 bytes; any other failure is thrown', async () => {
    s3.on(GetObjectCommand, { Key: KEY }).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }),
    );
    expect(await store.inspect(KEY, 8)).toBeUndefined();
    expect(await store.read(KEY, undefined)).toBeUndefined();
    const empty = 'uploads/acct_1/test/vs_1/-/file_3';
    s3.on(GetObjectCommand, { Key: empty }).rejects(
      new S3ServiceException({
        name: 'InvalidRange',
        $fault: 'client',
        message: 'The requested range is not satisfiable',
        $metadata: { httpStatusCode: 416 },
      }),
    );
    expect(await store.inspect(empty, 8)).toEqual({ contentType: undefined, size: 0, start: new Uint8Array() });
    const denied = 'uploads/acct_1/test/vs_1/-/file_4';
    s3.on(GetObjectCommand, { Key: denied }).rejects(
      new S3ServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Access Denied', $metadata: { httpStatusCode: 403 } }),
    );
    await expect(store.inspect(denied, 8)).rejects.toThrow('Access Denied');
  });

  it('tags the submitted version so the lifecycle rules for pending ones leave it, and hands the checks that version', async () => {
    s3.on(PutObjectTaggingCommand).resolves({ VersionId: VERSION });
    expect(await store.markSubmitted(KEY, VERSION)).toBe(true);
    expect(s3.commandCalls(PutObjectTaggingCommand)[0]!.args[0].input).toEqual({
      Bucket: 'verity-uploads',
      Key: KEY,
      VersionId: VERSION,
      Tagging: { TagSet: [{ Key: 'verity-upload', Value: 'submitted' }] },
    });
    // Textract's Document.S3Object and Rekognition's Image.S3Object both take `Version`.
    expect(await store.checkImage(KEY, VERSION)).toEqual({ S3Object: { Bucket: 'verity-uploads', Name: KEY, Version: VERSION } });
    // A file submitted before versions were recorded: the current version, as before.
    expect(await store.checkImage(KEY, undefined)).toEqual({ S3Object: { Bucket: 'verity-uploads', Name: KEY } });
  });

  it('reads a version that is gone as not marked (submit answers that the photo did not arrive)', async () => {
    s3.on(PutObjectTaggingCommand).rejects(
      new S3ServiceException({
        name: 'NoSuchVersion',
        $fault: 'client',
        message: 'The specified version does not exist.',
        $metadata: { httpStatusCode: 404 },
      }),
    );
    expect(await store.markSubmitted(KEY, VERSION)).toBe(false);
  });

  it('reads the submitted version of an object for the Files API, whatever is current', async () => {
    s3.on(GetObjectCommand, { Bucket: 'verity-uploads', Key: KEY }).resolves({
      Body: body([9, 9]),
      ContentType: 'image/png',
      ContentLength: 2,
      VersionId: 'later',
    });
    s3.on(GetObjectCommand, { Bucket: 'verity-uploads', Key: KEY, VersionId: VERSION }).resolves({
      Body: body([1, 2, 3]),
      ContentType: 'image/jpeg',
      ContentLength: 3,
      VersionId: VERSION,
    });
    expect(await store.read(KEY, VERSION)).toEqual({ contentType: 'image/jpeg', data: Uint8Array.from([1, 2, 3]) });
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.VersionId)).toEqual([VERSION]);
  });

  it('links to the submitted version with a presigned GET that lasts as long as asked', async () => {
    const url = new URL(await store.downloadUrl!(KEY, VERSION, 60));
    expect(url.searchParams.get('versionId')).toBe(VERSION);
    expect(url.origin).toBe('https://verity-uploads.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe(`/${KEY}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request$/);
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // Served as a download that no cache keeps, as the inline answer is (signed in, so the holder cannot change them).
    expect(url.searchParams.get('response-content-disposition')).toBe('attachment');
    expect(url.searchParams.get('response-cache-control')).toBe('no-store');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    // Presigning calls nothing.
    expect(s3.calls()).toHaveLength(0);
  });
});
