/**
 * The FileStore port over the local folder and DynamoDB Local: contents and the checks' images
 * come from the object an upload made, and, for an image submitted before uploads, from its
 * table item; the environment alone chooses the adapter.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ALREADY_SUBMITTED, localFolderObjects, storeUpload, sweepUnsubmittedUploads } from '../../../functions/files/local-folder';
import { dynamo } from '../../../functions/store/client';
import {
  FILES_DIR_ENV,
  fileStore,
  MAX_INLINE_CONTENTS_BYTES,
  MAX_UPLOAD_BYTES,
  uploadKey,
  UPLOADS_BUCKET_ENV,
} from '../../../functions/store/files';
import { tableName } from '../../../functions/store/schema';
import { fileInfoItem, fileItem } from '../../../functions/store/submissions';
import { newObjectId } from '../../../functions/domain/ids';
import { jpegHeader } from '../../support/images';
import { filesUnder } from '../../support/uploads';

const scope = { account: `acct_files${Date.now()}`, mode: 'test' as const };
const put = (Item: Record<string, unknown>) => dynamo().send(new PutCommand({ TableName: tableName(), Item }));

describe('the file store', () => {
  it(
    'keeps the submitted version locally: a later post to the key is refused, and a version replaced before submit is not ' + 'marked',
    async () => {
      const root = process.env[FILES_DIR_ENV]!;
      const objects = localFolderObjects(root);
      const key = uploadKey(scope, newObjectId('vs'), '-', newObjectId('file'));
      const policy = { key, content_type: 'image/jpeg' as const, max_bytes: MAX_UPLOAD_BYTES, expires: 0 };
      const first = jpegHeader(100, 100);
      const second = jpegHeader(200, 200);
      expect(await storeUpload(root, policy, Readable.from([first]), new Date())).toBeUndefined();
      const stale = (await objects.inspect(key, 3))!.version;
      // Replaced between inspect and submit's mark: the inspected version is gone, nothing is marked.
      expect(await storeUpload(root, policy, Readable.from([second]), new Date())).toBeUndefined();
      const current = (await objects.inspect(key, 3))!.version;
      expect(current).not.toBe(stale);
      expect(await objects.markSubmitted(key, stale)).toBe(false);
      expect(await objects.read(key, stale)).toBeUndefined();
      expect(await objects.markSubmitted(key, current)).toBe(true);
      // After submit the policy is still valid, but the key keeps what was checked.
      expect(await storeUpload(root, policy, Readable.from([first]), new Date())).toEqual(ALREADY_SUBMITTED);
      expect(await objects.read(key, current)).toEqual({ contentType: 'image/jpeg', data: second });
      expect(await objects.checkImage(key, current)).toEqual({ Bytes: second });
      expect(await objects.inspect(key, 3)).toMatchObject({ size: second.length, version: current });
    },
  );

  it('reads an uploaded image from its object, for the Files API and for the checks (as bytes, locally)', async () => {
    const session = newObjectId('vs');
    const id = newObjectId('file');
    const key = uploadKey(scope, session, '-', id);
    const image = jpegHeader(2500, 1600);
    expect(
      await storeUpload(
        process.env[FILES_DIR_ENV]!,
        { key, content_type: 'image/jpeg', max_bytes: MAX_UPLOAD_BYTES, expires: 0 },
        Readable.from([image]),
        new Date(),
      ),
    ).toBeUndefined();
    const info = {
      id,
      session,
      purpose: 'identity_document' as const,
      content_type: 'image/jpeg' as const,
      created: 1,
      size: image.length,
      object_key: key,
    };
    await put(fileInfoItem(scope, info));
    const store = fileStore();
    expect(await store.describe(scope, id)).toEqual(info);
    expect(await store.contents(scope, id)).toEqual({ content_type: 'image/jpeg', data: image });
    expect(await store.checkImage(scope, id)).toEqual({ Bytes: image });
    expect(await store.inspectUpload(scope, { session, attempt: '-', id }, 3)).toEqual({
      contentType: 'image/jpeg',
      size: image.length,
      start: image.subarray(0, 3),
      version: expect.stringMatching(/^[\w-]{22}$/),
    });
    // Another scope, or another attempt, has no such file.
    expect(await store.checkImage({ ...scope, mode: 'live' }, id)).toBeUndefined();
    expect(await store.inspectUpload(scope, { session, attempt: 'vr_00000000AAAAAAAAAAAAAAAA', id }, 3)).toBeUndefined();
  });

  it('still reads an image submitted before uploads from its table item, until it is redacted', async () => {
    const id = newObjectId('file');
    const file = {
      id,
      session: newObjectId('vs'),
      purpose: 'selfie' as const,
      content_type: 'image/png' as const,
      created: 1,
      data: Uint8Array.from([0x89, 0x50, 0x4e, 0x47]),
    };
    await put(fileItem(scope, file));
    const { data, ...described } = file;
    await put(fileInfoItem(scope, { ...described, size: data.length }));
    expect(await fileStore().contents(scope, id)).toEqual({ content_type: 'image/png', data: file.data });
    expect(await fileStore().checkImage(scope, id)).toEqual({ Bytes: file.data });
    expect(await fileStore().checkImage(scope, newObjectId('file'))).toBeUndefined();
  });

  it('links to an image too large for a Lambda response instead of reading it (S3), and serves it inline locally', async () => {
    const session = newObjectId('vs');
    const id = newObjectId('file');
    const key = uploadKey(scope, session, '-', id);
    const large = Buffer.concat([jpegHeader(4000, 3000), Buffer.alloc(MAX_INLINE_CONTENTS_BYTES)]);
    expect(
      await storeUpload(
        process.env[FILES_DIR_ENV]!,
        { key, content_type: 'image/jpeg', max_bytes: MAX_UPLOAD_BYTES, expires: 0 },
        Readable.from([large]),
        new Date(),
      ),
    ).toBeUndefined();
    await put(
      fileInfoItem(scope, {
        id,
        session,
        purpose: 'identity_document',
        content_type: 'image/jpeg',
        created: 1,
        size: large.length,
        object_key: key,
      }),
    );
    const inline = (await fileStore().contents(scope, id)) as { content_type: string; data: Uint8Array };
    expect(inline.content_type).toBe('image/jpeg');
    // Compared as bytes: a deep equality of 4 MB takes vitest half a minute.
    expect(Buffer.compare(Buffer.from(inline.data), large)).toBe(0);
    process.env[UPLOADS_BUCKET_ENV] = 'verity-uploads';
    try {
      const contents = await fileStore().contents(scope, id);
      expect(contents).toEqual({ content_type: 'image/jpeg', url: expect.stringMatching(/^https:\/\/verity-uploads\.s3\./) });
      const url = new URL((contents as { url: string }).url);
      expect(url.pathname).toBe(`/${key}`);
      expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    } finally {
      delete process.env[UPLOADS_BUCKET_ENV];
    }
  });

  it('is chosen by the environment: the bucket when one is named, the folder otherwise, and none is an error', async () => {
    const folder = process.env[FILES_DIR_ENV];
    try {
      process.env[UPLOADS_BUCKET_ENV] = 'verity-uploads';
      const presigned = await fileStore().presignUpload(
        scope,
        { session: 'vs_1', attempt: '-', purpose: 'selfie', contentType: 'image/jpeg' },
        new Date(),
      );
      expect(presigned.url).toMatch(/^https:\/\/verity-uploads\.s3\./);
      delete process.env[UPLOADS_BUCKET_ENV];
      expect(
        (
          await fileStore().presignUpload(
            scope,
            { session: 'vs_1', attempt: '-', purpose: 'selfie', contentType: 'image/jpeg' },
            new Date(),
          )
        ).url,
      ).toBe('/local/uploads');
      delete process.env[FILES_DIR_ENV];
      expect(() => fileStore()).toThrow(/VERITY_UPLOADS_BUCKET .* VERITY_FILES_DIR/);
    } finally {
      delete process.env[UPLOADS_BUCKET_ENV];
      process.env[FILES_DIR_ENV] = folder;
    }
  });

  it("removes, locally as the bucket's lifecycle rule does, uploads no submission named a day after they arrived", async () => {
    const root = mkdtempSync(join(tmpdir(), 'verity-sweep-'));
    try {
      const session = newObjectId('vs');
      const dayAndMore = new Date(Date.now() - 25 * 60 * 60 * 1000);
      const upload = async (when: Date) => {
        const key = uploadKey(scope, session, '-', newObjectId('file'));
        expect(
          await storeUpload(
            root,
            { key, content_type: 'image/jpeg', max_bytes: MAX_UPLOAD_BYTES, expires: 0 },
            Readable.from([jpegHeader(8, 8)]),
            when,
          ),
        ).toBeUndefined();
        return key;
      };
      const [unsubmitted, submitted, recent] = [await upload(dayAndMore), await upload(dayAndMore), await upload(new Date())];
      expect(await localFolderObjects(root).markSubmitted(submitted, undefined)).toBe(true);
      expect(await sweepUnsubmittedUploads(root, new Date())).toBe(1);
      const left = filesUnder(root).filter((name) => !name.endsWith('.json'));
      expect(left.sort()).toEqual([submitted, recent].sort());
      expect(left).not.toContain(unsubmitted);
      expect(await sweepUnsubmittedUploads(root, new Date())).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
