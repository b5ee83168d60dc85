/**
 * Live capture's nonces through the page's routes on the local service (DynamoDB Local): under
 * `require_live_capture` an upload is admitted only with a capture nonce issued for this session,
 * attempt and photo, unexpired and unspent, which the upload spends in the transaction that counts
 * it; every refusal is in the page's words and leaves nothing written. Without live capture
 * nothing changes.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureNonceHash, MAX_CAPTURE_NONCES_PER_ATTEMPT } from '../../functions/domain/capture-nonces';
import type { Scope } from '../../functions/domain/scope';
import { messagesFor } from '../../functions/hosted-page/messages';
import { dynamo } from '../../functions/store/client';
import { CAPTURE_NONCE_KIND } from '../../functions/store/capture-nonces';
import { UPLOAD_COUNT_KIND } from '../../functions/store/files';
import { objectKey, tableName } from '../../functions/store/schema';
import type { LocalRuntime } from '../../local/runtime';
import { newStripeAccount, startService } from '../support/local-service';
import { acceptOnPage, requestUpload, type PageVisit } from '../support/verification';

let service: LocalRuntime;
let stripe: Stripe;
let scope: Scope;
beforeAll(async () => {
  service = await startService();
  ({ stripe, scope } = await newStripeAccount(service));
});
afterAll(() => service.stop());

const LIVE_CAPTURE = { type: 'document', options: { document: { require_live_capture: true } } } as const;
const REFUSED = messagesFor('en').t('photo.live_capture_required');

async function newVisit(options: Stripe.Identity.VerificationSessionCreateParams = LIVE_CAPTURE) {
  const session = await stripe.identity.verificationSessions.create(options);
  return { session, visit: await acceptOnPage(service.url, session.url!) };
}

const askNonce = (visit: PageVisit, body: unknown, query = '') =>
  fetch(`${visit.serviceUrl}${visit.path}/capture_nonces${query}`, {
    method: 'POST',
    headers: { cookie: visit.cookie, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function nonceFor(visit: PageVisit, photo = 'document_front'): Promise<string> {
  const response = await askNonce(visit, { photo });
  expect(response.status, await response.clone().text()).toBe(200);
  return ((await response.json()) as { nonce: string }).nonce;
}

const upload = (visit: PageVisit, extra: Record<string, unknown>, purpose = 'identity_document') =>
  requestUpload(visit, { purpose, content_type: 'image/jpeg', ...extra });

const errorOf = async (response: Response) => ((await response.json()) as { error: Record<string, unknown> }).error;

/** The session's items of one kind (its partition, `sk` beginning with `kind`). */
async function itemsOf(sessionId: string, kind: string): Promise<Record<string, unknown>[]> {
  const { Items } = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :kind)',
      ExpressionAttributeValues: { ':pk': objectKey(scope, sessionId, '').pk, ':kind': kind },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}

/** The nonce's item, found by its hash (the nonce itself is not stored). */
async function nonceItem(sessionId: string, nonce: string) {
  const key = objectKey(scope, sessionId, `${CAPTURE_NONCE_KIND}#${captureNonceHash(scope, sessionId, nonce)}`);
  return (await dynamo().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item;
}

/** A refusal of the upload route for the nonce: 400, in the page's words, naming `capture_nonce`. */
async function expectRefused(response: Response, code = 'parameter_invalid') {
  expect(response.status).toBe(400);
  expect(await errorOf(response)).toMatchObject({ type: 'invalid_request_error', code, param: 'capture_nonce', message: REFUSED });
}

describe('POST /start/{token}/capture_nonces', () => {
  it('issues a single-use nonce for one photo, and stores only its hash', async () => {
    const { session, visit } = await newVisit();
    const before = Math.floor(Date.now() / 1000);
    const response = await askNonce(visit, { photo: 'document_back' });
    const after = Math.floor(Date.now() / 1000);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('no-store');
    const body = (await response.json()) as { nonce: string; expires_at: number };
    expect(body).toEqual({
      object: 'capture_nonce',
      nonce: expect.stringMatching(/^[0-9A-Za-z]{32}$/),
      photo: 'document_back',
      expires_at: expect.any(Number),
    });
    // Ten minutes from when it was issued, somewhere between the request and its answer.
    expect(body.expires_at).toBeGreaterThanOrEqual(before + 600);
    expect(body.expires_at).toBeLessThanOrEqual(after + 600);
    const stored = await itemsOf(session.id, CAPTURE_NONCE_KIND);
    expect(stored).toHaveLength(2); // the nonce and the counter
    expect(JSON.stringify(stored)).not.toContain(body.nonce);
    expect(await nonceItem(session.id, body.nonce)).toMatchObject({ attempt: '-', side: 'document_back', valid_until: body.expires_at });
  });

  it(`refuses past ${MAX_CAPTURE_NONCES_PER_ATTEMPT} an attempt, in the page's words`, async () => {
    const { visit } = await newVisit();
    for (let i = 0; i < MAX_CAPTURE_NONCES_PER_ATTEMPT; i++) await nonceFor(visit);
    const refused = await askNonce(visit, { photo: 'document_front' }, '?locale=de');
    expect(refused.status).toBe(400);
    expect(await errorOf(refused)).toMatchObject({
      code: 'capture_nonce_limit',
      message: messagesFor('de').t('photo.too_many_camera_starts', { max: String(MAX_CAPTURE_NONCES_PER_ATTEMPT) }),
    });
  });

  it('refuses a session without live capture, and an unknown photo', async () => {
    const { visit } = await newVisit({ type: 'document' });
    const refused = await askNonce(visit, { photo: 'document_front' });
    expect(refused.status).toBe(400);
    expect(await errorOf(refused)).toMatchObject({ code: 'live_capture_not_used' });
    const live = await newVisit();
    const unknown = await askNonce(live.visit, { photo: 'passport_page' });
    expect(unknown.status).toBe(400);
    expect(await errorOf(unknown)).toMatchObject({ param: 'photo' });
  });
});

describe('POST /start/{token}/uploads under require_live_capture', () => {
  it('refuses a photo without a nonce, and counts nothing', async () => {
    const { session, visit } = await newVisit();
    await expectRefused(await upload(visit, { photo: 'document_front' }), 'parameter_missing');
    expect(await itemsOf(session.id, UPLOAD_COUNT_KIND)).toEqual([]);
  });

  it("refuses another session's nonce, and spends nothing", async () => {
    const other = await newVisit();
    const nonce = await nonceFor(other.visit);
    const { session, visit } = await newVisit();
    await expectRefused(await upload(visit, { photo: 'document_front', capture_nonce: nonce }));
    expect(await itemsOf(session.id, UPLOAD_COUNT_KIND)).toEqual([]);
    expect(await nonceItem(other.session.id, nonce)).not.toHaveProperty('spent');
    // Still good where it was issued.
    expect((await upload(other.visit, { photo: 'document_front', capture_nonce: nonce })).status).toBe(200);
  });

  it('refuses a nonce issued for another photo of the session', async () => {
    const { session, visit } = await newVisit();
    const nonce = await nonceFor(visit, 'document_back');
    await expectRefused(await upload(visit, { photo: 'document_front', capture_nonce: nonce }));
    expect(await itemsOf(session.id, UPLOAD_COUNT_KIND)).toEqual([]);
    expect(await nonceItem(session.id, nonce)).not.toHaveProperty('spent');
  });

  it('admits a photo with its nonce, spends the nonce with the count, and refuses it replayed', async () => {
    const { session, visit } = await newVisit();
    const nonce = await nonceFor(visit);
    const admitted = await upload(visit, { photo: 'document_front', capture_nonce: nonce });
    expect(admitted.status, await admitted.clone().text()).toBe(200);
    expect(await admitted.json()).toMatchObject({ file: expect.stringMatching(/^file_/), url: expect.any(String) });
    expect(await nonceItem(session.id, nonce)).toMatchObject({ spent: expect.any(Number) });
    expect(await itemsOf(session.id, UPLOAD_COUNT_KIND)).toEqual([expect.objectContaining({ presigned: 1 })]);

    await expectRefused(await upload(visit, { photo: 'document_front', capture_nonce: nonce }));
    expect(await itemsOf(session.id, UPLOAD_COUNT_KIND)).toEqual([expect.objectContaining({ presigned: 1 })]);
  });

  it('refuses an expired nonce, and counts nothing', async () => {
    const { session, visit } = await newVisit();
    const nonce = await nonceFor(visit, 'selfie');
    // Ten minutes on: the nonce's validity is moved into the past rather than waited for.
    const key = objectKey(scope, session.id, `${CAPTURE_NONCE_KIND}#${captureNonceHash(scope, session.id, nonce)}`);
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET valid_until = :past',
        ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 },
      }),
    );
    await expectRefused(await upload(visit, { photo: 'selfie', capture_nonce: nonce }, 'selfie'));
    expect(await itemsOf(session.id, UPLOAD_COUNT_KIND)).toEqual([]);
    expect(await nonceItem(session.id, nonce)).not.toHaveProperty('spent');
  });

  it("refuses in the page's language", async () => {
    const { visit } = await newVisit();
    const response = await fetch(`${visit.serviceUrl}${visit.path}/uploads?locale=fr`, {
      method: 'POST',
      headers: { cookie: visit.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({
        purpose: 'identity_document',
        content_type: 'image/jpeg',
        photo: 'document_front',
        capture_nonce: 'x'.repeat(32),
      }),
    });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ message: messagesFor('fr').t('photo.live_capture_required') });
  });
});

describe('POST /start/{token}/uploads without require_live_capture', () => {
  it('needs no nonce, as before', async () => {
    const { session, visit } = await newVisit({ type: 'document' });
    const admitted = await upload(visit, {});
    expect(admitted.status, await admitted.clone().text()).toBe(200);
    expect(await itemsOf(session.id, UPLOAD_COUNT_KIND)).toEqual([expect.objectContaining({ presigned: 1 })]);
  });
});
