/**
 * Uploads through the page's presigned contract, locally: the page route presigns, the local
 * upload route (S3's POST Object stand-in) holds each upload to its signed policy, and submit
 * takes only what arrived for this session's attempt as the JPEG or PNG it claims to be.
 */
import { existsSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localFolderObjects, LOCAL_UPLOAD_PATH } from '../../functions/files/local-folder';
import { FILES_DIR_ENV, MAX_UPLOAD_BYTES, MAX_UPLOADS_PER_ATTEMPT_DAY } from '../../functions/store/files';
import type { LocalRuntime } from '../../local/runtime';
import type { Scope } from '../../functions/domain/scope';
import { newRestrictedKey } from '../support/accounts';
import { jpegFrame, jpegHeader, jpegSegment, pngDeclaring, pngImage } from '../support/images';
import { MAX_IMAGE_SIDE_PIXELS } from '../../functions/domain/image-signature';
import { newStripeAccount, startService } from '../support/local-service';
import {
  acceptOnPage,
  eventually,
  expectStatus,
  postUpload,
  requestUpload,
  submitFromPage,
  uploadOnPage,
  type PageVisit,
  type PresignedPageUpload,
} from '../support/verification';

let service: LocalRuntime;
let stripe: Stripe;
let scope: Scope;
beforeAll(async () => {
  service = await startService();
  ({ stripe, scope } = await newStripeAccount(service));
});
afterAll(() => service.stop());

const JPEG = jpegHeader(800, 600);

async function newVisit(options: Stripe.Identity.VerificationSessionCreateParams = { type: 'document' }) {
  const session = await stripe.identity.verificationSessions.create(options);
  return { session, visit: await acceptOnPage(service.url, session.url!) };
}

async function presign(visit: PageVisit, contentType = 'image/jpeg'): Promise<PresignedPageUpload> {
  const response = await requestUpload(visit, { purpose: 'identity_document', content_type: contentType });
  expect(response.status).toBe(200);
  return (await response.json()) as PresignedPageUpload;
}

/** S3's XML error: the status, its Code and Message. */
async function s3Error(response: Response) {
  const body = await response.text();
  expect(response.headers.get('content-type')).toBe('application/xml');
  return { status: response.status, code: /<Code>(.*?)<\/Code>/.exec(body)?.[1], message: /<Message>(.*?)<\/Message>/.exec(body)?.[1] };
}

const refusalOf = async (response: Response) =>
  ((await response.json()) as { error: { type: string; param: string; message: string } }).error;

const BOUNDARY = 'verity-test-boundary';
/** The presigned POST's fields as multipart/form-data parts, in order. */
const formFields = (presigned: PresignedPageUpload) =>
  Object.entries(presigned.fields)
    .map(([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join('');
/** The start of the file's part, up to its bytes. */
const fileHead = (filename: string) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: image/jpeg\r\n\r\n`;

/**
 * POSTs `start` to the local upload route chunked (no Content-Length), then `filler` again and
 * again, up to 40 of them, as long as the server keeps reading, then `end`. The answer, or
 * `'reset'` when the server closed the connection with the rest unread and the kernel's reset
 * reached this client, still writing, before the answer did; and how many filler bytes were sent.
 */
async function streamUpload(
  start: Buffer,
  filler: Buffer,
  end?: string,
): Promise<{ answer: { status: number; body: string } | 'reset'; sent: number }> {
  const { port } = new URL(service.url);
  let sent = 0;
  const answer = await new Promise<{ status: number; body: string } | 'reset'>((resolve, reject) => {
    const upload = request({
      host: '127.0.0.1',
      port,
      path: LOCAL_UPLOAD_PATH,
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'transfer-encoding': 'chunked' },
    });
    upload.on('response', (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body }));
    });
    upload.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve('reset') : reject(error),
    );
    upload.write(start);
    const pump = () => {
      while (sent < 40 * filler.length) {
        sent += filler.length;
        if (!upload.write(filler)) return upload.once('drain', pump);
      }
      upload.end(end);
    };
    pump();
  });
  return { answer, sent };
}

describe('uploads through the presigned contract', () => {
  it('presigns one key under the session and attempt, and stores the upload owner-only where it says', async () => {
    const { session, visit } = await newVisit();
    const presigned = await presign(visit);
    expect(presigned.file).toMatch(/^file_[0-9A-Za-z]{24}$/);
    expect(presigned.url).toBe(LOCAL_UPLOAD_PATH);
    // Before the first attempt concludes, the attempt is `-`.
    expect(presigned.fields.key).toMatch(new RegExp(`^uploads/acct_[0-9A-Za-z]+/test/${session.id}/-/${presigned.file}$`));
    expect(presigned.fields['Content-Type']).toBe('image/jpeg');
    expect((await postUpload(visit, presigned, JPEG)).status).toBe(204);
    const stored = join(process.env[FILES_DIR_ENV]!, presigned.fields.key!);
    expect(statSync(stored).size).toBe(JPEG.length);
    expect(statSync(stored).mode & 0o777).toBe(0o600);
    expect(statSync(join(stored, '..')).mode & 0o777).toBe(0o700);
  });

  it('presigns only for a browser that may submit, and only JPEG or PNG', async () => {
    const { visit } = await newVisit();
    expect((await requestUpload({ ...visit, cookie: `verity_page=1.99999999999.-.${'0'.repeat(64)}` })).status).toBe(401);
    for (const [params, param] of [
      [{ purpose: 'identity_document', content_type: 'image/gif' }, 'content_type'],
      [{ purpose: 'passport_photo', content_type: 'image/jpeg' }, 'purpose'],
      [{ content_type: 'image/jpeg' }, 'purpose'],
      [{ purpose: 'selfie' }, 'content_type'],
    ] as const) {
      const response = await requestUpload(visit, params);
      expect(response.status).toBe(400);
      expect(await refusalOf(response)).toMatchObject({ type: 'invalid_request_error', param });
    }
  });

  it(`presigns at most ${MAX_UPLOADS_PER_ATTEMPT_DAY} uploads an attempt a day, exactly, however many requests race`, async () => {
    const { visit } = await newVisit();
    const other = await newVisit();
    // More requests than the bound, all at once: each is one conditional count, so exactly the bound gets a policy.
    const answers = await Promise.all(Array.from({ length: MAX_UPLOADS_PER_ATTEMPT_DAY + 10 }, () => requestUpload(visit)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(MAX_UPLOADS_PER_ATTEMPT_DAY);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
    const files = new Set(
      await Promise.all(answers.filter((answer) => answer.ok).map(async (answer) => ((await answer.json()) as PresignedPageUpload).file)),
    );
    expect(files.size).toBe(MAX_UPLOADS_PER_ATTEMPT_DAY);
    await Promise.all(answers.filter((answer) => !answer.ok).map((answer) => answer.arrayBuffer()));
    // Past the bound: Stripe's 429, with when to come back (the next UTC day), and no policy.
    const refused = await requestUpload(visit);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(24 * 60 * 60);
    expect(await refused.json()).toEqual({
      error: { type: 'invalid_request_error', code: 'rate_limit', param: null, message: expect.stringMatching(/Too many photos/) },
    });
    // Another session's count is its own.
    expect((await requestUpload(other.visit)).status).toBe(200);
  });

  it('refuses an upload of another type, to another key, past its expiry, or with a forged policy, as S3 does', async () => {
    const { visit } = await newVisit();
    const presigned = await presign(visit);
    expect(await s3Error(await postUpload(visit, presigned, JPEG, { 'Content-Type': 'image/gif' }))).toMatchObject({
      status: 400,
      code: 'InvalidArgument',
      message: expect.stringContaining('$Content-Type'),
    });
    // Another key (another session's) under the same policy.
    const elsewhere = presigned.fields.key!.replace(/vs_[0-9A-Za-z]+/, 'vs_00000000AAAAAAAAAAAAAAAA');
    expect(await s3Error(await postUpload(visit, presigned, JPEG, { key: elsewhere }))).toMatchObject({
      status: 400,
      code: 'InvalidArgument',
      message: expect.stringContaining('$key'),
    });
    // A policy whose limits were changed after signing, and one without a signature.
    const policy = JSON.parse(Buffer.from(presigned.fields.policy!, 'base64url').toString());
    const widened = Buffer.from(JSON.stringify({ ...policy, max_bytes: 10 * MAX_UPLOAD_BYTES })).toString('base64url');
    expect(await s3Error(await postUpload(visit, presigned, JPEG, { policy: widened }))).toMatchObject({
      status: 403,
      code: 'SignatureDoesNotMatch',
    });
    expect(await s3Error(await postUpload(visit, presigned, JPEG, { 'x-verity-signature': '' }))).toMatchObject({
      status: 403,
      code: 'SignatureDoesNotMatch',
    });
    // A policy Verity signed, that expired a second ago.
    const expired = await localFolderObjects(process.env[FILES_DIR_ENV]!).presignUpload({
      key: presigned.fields.key!,
      contentType: 'image/jpeg',
      maxBytes: MAX_UPLOAD_BYTES,
      expires: new Date(Date.now() - 1000),
    });
    expect(await s3Error(await postUpload(visit, { ...presigned, ...expired }, JPEG))).toMatchObject({
      status: 403,
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy expired.',
    });
    // None of these left anything behind; the good upload still works after them.
    const stored = join(process.env[FILES_DIR_ENV]!, presigned.fields.key!);
    expect(() => statSync(stored)).toThrow(/ENOENT/);
    expect((await postUpload(visit, presigned, JPEG)).status).toBe(204);
  });

  it('refuses a file larger than 10 MB: declared, or sent without a length, it stops reading past the limit', async () => {
    const { visit } = await newVisit();
    const presigned = await presign(visit);
    const tooLarge = Buffer.alloc(MAX_UPLOAD_BYTES + 1, 0xff);
    expect(await s3Error(await postUpload(visit, presigned, tooLarge))).toMatchObject({ status: 400, code: 'EntityTooLarge' });
    // Streamed (chunked, no Content-Length): refused once the file passes the limit, and the rest is never read.
    const { answer, sent } = await streamUpload(
      Buffer.from(formFields(presigned) + fileHead('big.jpg')),
      Buffer.alloc(1024 * 1024, 0xff),
      `\r\n--${BOUNDARY}--\r\n`,
    );
    if (answer !== 'reset') {
      expect(answer.status).toBe(400);
      expect(answer.body).toContain('<Code>EntityTooLarge</Code>');
    }
    // It answered long before the 40 MB were all sent (socket buffers hold a few MB at most).
    expect(sent).toBeLessThan(30 * 1024 * 1024);
    expect(() => statSync(join(process.env[FILES_DIR_ENV]!, presigned.fields.key!))).toThrow(/ENOENT/);
  });

  it('bounds the whole body, not only the file: bytes after the file are refused past the limit, and the file is not kept', async () => {
    const { visit } = await newVisit();
    const presigned = await presign(visit);
    // A whole, valid form (fields, one small file, the closing boundary), then junk that busboy reads and drops.
    const form = Buffer.concat([Buffer.from(formFields(presigned) + fileHead('a.jpg')), JPEG, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]);
    const { answer, sent } = await streamUpload(form, Buffer.alloc(1024 * 1024, 0x61));
    if (answer !== 'reset') {
      expect(answer.status).toBe(400);
      expect(answer.body).toContain('<Code>EntityTooLarge</Code>');
    }
    // It stopped reading long before the 40 MB were all sent, and kept nothing.
    expect(sent).toBeLessThan(30 * 1024 * 1024);
    // (Removed once the refusal is out.)
    await eventually(
      async () => existsSync(join(process.env[FILES_DIR_ENV]!, presigned.fields.key!)),
      (kept) => expect(kept).toBe(false),
    );
    // The same policy still takes a well-formed upload.
    expect((await postUpload(visit, presigned, JPEG)).status).toBe(204);
  });

  it("submit takes only this session's and attempt's uploads, each the JPEG or PNG it was uploaded as", async () => {
    const { visit } = await newVisit({ type: 'document', options: { document: { require_matching_selfie: true } } });
    const other = await newVisit();
    const othersFile = await uploadOnPage(other.visit, JPEG);
    // A PNG uploaded as a JPEG, and a text file uploaded as a PNG.
    const mislabelled = await presign(visit, 'image/jpeg');
    expect((await postUpload(visit, mislabelled, pngImage(4, 4))).status).toBe(204);
    const notAnImage = await presign(visit, 'image/png');
    expect((await postUpload(visit, notAnImage, Buffer.from('hello, this is not a picture'))).status).toBe(204);
    const neverUploaded = (await presign(visit)).file;
    for (const [submission, param, message] of [
      [{ document_front: othersFile }, 'document_front', /did not arrive/],
      [{ document_back: neverUploaded }, 'document_back', /did not arrive/],
      [{ selfie: mislabelled.file }, 'selfie', /JPEG or PNG/],
      [{ document_front: notAnImage.file }, 'document_front', /JPEG or PNG/],
    ] as const) {
      const response = await submitFromPage(visit, { document_type: 'driving_license', ...submission });
      expect(response.status).toBe(400);
      expect(await refusalOf(response)).toMatchObject({ type: 'invalid_request_error', param, message: expect.stringMatching(message) });
    }
    const good = await uploadOnPage(visit, JPEG);
    const twice = await submitFromPage(visit, { document_type: 'driving_license', document_front: good, document_back: good });
    expect(await refusalOf(twice)).toMatchObject({ param: 'document_back' });
    // The other session may still use its own.
    expect(
      (await submitFromPage(other.visit, { document_type: 'passport', document_front: othersFile, test_case: 'verified' })).status,
    ).toBe(200);
  });

  it(
    `refuses at submit an image declaring more than ${MAX_IMAGE_SIDE_PIXELS} pixels on a side (an image bomb), before anything is ` +
      'stored',
    async () => {
      const { session, visit } = await newVisit();
      // 20000×20000 declared in a PNG of a few dozen bytes; a JPEG too wide; a JPEG whose real
      // (arithmetic-coded) frame is huge, with a small baseline decoy behind it.
      const decoy = Buffer.concat([
        Buffer.from([0xff, 0xd8]),
        jpegSegment(0xc9, jpegFrame(20000, 20000)),
        jpegSegment(0xc0, jpegFrame(100, 100)),
      ]);
      for (const [bytes, type, size] of [
        [pngDeclaring(20000, 20000), 'image/png', '20000×20000'],
        [jpegHeader(12000, 800), 'image/jpeg', '12000×800'],
        [decoy, 'image/jpeg', '20000×20000'],
      ] as const) {
        const file = await uploadOnPage(visit, bytes, type);
        const response = await submitFromPage(visit, { document_type: 'passport', document_front: file });
        expect(response.status).toBe(400);
        expect(await refusalOf(response)).toMatchObject({
          type: 'invalid_request_error',
          param: 'document_front',
          // Numbers as Intl writes them in English, as the page writes the same refusal (photo.too_many_pixels).
          message:
            `This photo is too large (${size.replace(/\d+/g, (n) => Number(n).toLocaleString('en'))} pixels; ` +
            `at most ${MAX_IMAGE_SIDE_PIXELS.toLocaleString('en')} pixels on a side). Take it again at a lower resolution.`,
        });
      }
      // Nothing was stored: the session still waits for a submission.
      expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).toBe('requires_input');
      // A JPEG whose frame header is not where it could be read is refused as unreadable, not taken unchecked.
      const noFrame = await uploadOnPage(visit, Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
      expect(await refusalOf(await submitFromPage(visit, { document_type: 'passport', document_front: noFrame }))).toMatchObject({
        message: expect.stringMatching(/could not be read/),
      });
      // At the limit it is taken.
      const atLimit = await uploadOnPage(visit, jpegHeader(MAX_IMAGE_SIDE_PIXELS, MAX_IMAGE_SIDE_PIXELS));
      expect((await submitFromPage(visit, { document_type: 'passport', document_front: atLimit, test_case: 'verified' })).status).toBe(200);
    },
  );

  it(
    'keeps what was submitted: a second post with the same policy after submit is refused, and the Files API serves the original ' +
      'bytes',
    async () => {
      const { session, visit } = await newVisit();
      const upload = await presign(visit);
      expect((await postUpload(visit, upload, JPEG)).status).toBe(204);
      expect((await submitFromPage(visit, { document_type: 'passport', document_front: upload.file, test_case: 'verified' })).status).toBe(
        200,
      );
      // The policy lasts 10 minutes: the same fields with other bytes.
      const other = jpegHeader(1600, 1200);
      expect(await s3Error(await postUpload(visit, upload, other))).toMatchObject({ status: 403, code: 'AccessDenied' });
      await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('verified'));
      const key = await newRestrictedKey(scope, { sensitive_results: true });
      const headers = { authorization: `Bearer ${key}` };
      const described = (await (await fetch(`${service.url}/v1/files/${upload.file}`, { headers })).json()) as { size: number };
      expect(described.size).toBe(JPEG.length);
      const contents = await fetch(`${service.url}/v1/files/${upload.file}/contents`, { headers });
      expect(contents.status).toBe(200);
      expect(Buffer.from(await contents.arrayBuffer()).equals(Buffer.from(JPEG))).toBe(true);
    },
  );

  it('refuses an upload made for an attempt that has since concluded: the next attempt uploads again', async () => {
    const { session, visit } = await newVisit();
    const early = await uploadOnPage(visit, JPEG);
    const spare = await uploadOnPage(visit, JPEG);
    expect(
      (await submitFromPage(visit, { document_type: 'passport', document_front: early, test_case: 'document_unverified_other' })).status,
    ).toBe(200);
    const failed = await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('requires_input'));
    const again = await acceptOnPage(service.url, failed.url!);
    const refused = await submitFromPage(again, { document_type: 'passport', document_front: spare, test_case: 'verified' });
    expect(refused.status).toBe(400);
    expect(await refusalOf(refused)).toMatchObject({ param: 'document_front', message: expect.stringMatching(/did not arrive/) });
    const fresh = await uploadOnPage(again, JPEG);
    expect((await presign(again)).fields.key).toMatch(/\/vr_[0-9A-Za-z]+\/file_/);
    expect((await submitFromPage(again, { document_type: 'passport', document_front: fresh, test_case: 'verified' })).status).toBe(200);
  });
});
