/** Idempotency keys, as Stripe defines them, through the official SDK. */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import Stripe from 'stripe';
import { dynamo } from '../../functions/store/client';
import { tableName } from '../../functions/store/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { newStripeAccount, startService, stripeClient, withoutResponse } from '../support/local-service';

let service: LocalRuntime;
let stripe: Stripe;
let secretKey: string;

beforeAll(async () => {
  service = await startService();
  ({ stripe, secretKey } = await newStripeAccount(service));
});
afterAll(() => service.stop());

const eventsOf = async (sessionId: string) =>
  (await stripe.events.list({ limit: 100 })).data.filter((e) => (e.data.object as { id: string }).id === sessionId);

describe('idempotency keys', () => {
  it('answers a create retried five times with one session, one created event and five identical responses', async () => {
    const responses = [];
    for (let i = 0; i < 5; i++) {
      responses.push(await stripe.identity.verificationSessions.create({ type: 'document', metadata: { order: '42' } }, { idempotencyKey: 'order-42' }));
    }
    expect(new Set(responses.map((r) => JSON.stringify(withoutResponse(r)))).size).toBe(1);
    expect(responses[0]!.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    for (const replay of responses.slice(1)) expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await eventsOf(responses[0]!.id)).map((e) => e.type)).toEqual(['identity.verification_session.created']);
    // The replays show the same usable credentials, yet the saved record holds neither of them.
    expect(responses[4]!.client_secret).toBe(responses[0]!.client_secret);
    expect(responses[0]!.client_secret).toMatch(/_secret_test_/);
    const { Items = [] } = await dynamo().send(new ScanCommand({ TableName: tableName(), FilterExpression: 'sk = :kind AND contains(#response.body, :id)', ExpressionAttributeNames: { '#response': 'response' }, ExpressionAttributeValues: { ':kind': 'idempotency_key', ':id': responses[0]!.id } }));
    expect(Items).toHaveLength(1);
    expect(JSON.stringify(Items)).not.toContain(responses[0]!.client_secret);
    expect(JSON.stringify(Items)).not.toContain('/start/');
  });

  it('gives one session for five concurrent creates with one key (the SDK retries the 409s)', async () => {
    const retrying = stripeClient(service, secretKey, { maxNetworkRetries: 6 });
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => retrying.identity.verificationSessions.create({ type: 'id_number' }, { idempotencyKey: 'concurrent-1' })),
    );
    expect(new Set(responses.map((r) => r.id)).size).toBe(1);
    expect(new Set(responses.map((r) => JSON.stringify(withoutResponse(r)))).size).toBe(1);
    expect(await eventsOf(responses[0]!.id)).toHaveLength(1);
  });

  it('refuses the same key with other parameters or on another endpoint: 400 idempotency_error', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: 'reused' });
    for (const attempt of [
      () => stripe.identity.verificationSessions.create({ type: 'id_number' }, { idempotencyKey: 'reused' }),
      () => stripe.identity.verificationSessions.cancel(session.id, {}, { idempotencyKey: 'reused' }),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
      expect(error).toMatchObject({ statusCode: 400, type: 'StripeIdempotencyError', raw: { type: 'idempotency_error' } });
    }
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).toBe('requires_input');
  });

  it('does not save a request that failed validation', async () => {
    await expect(stripe.identity.verificationSessions.create({} as Stripe.Identity.VerificationSessionCreateParams, { idempotencyKey: 'fix-me' })).rejects.toMatchObject({ code: 'parameter_missing' });
    const session = await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: 'fix-me' });
    expect(session.status).toBe('requires_input');
  });

  it('replays the answer to a retried cancel, errors included', async () => {
    const { id } = await stripe.identity.verificationSessions.create({ type: 'document' });
    const first = await stripe.identity.verificationSessions.cancel(id, {}, { idempotencyKey: 'cancel-1' });
    const again = await stripe.identity.verificationSessions.cancel(id, {}, { idempotencyKey: 'cancel-1' });
    expect(withoutResponse(again)).toEqual(withoutResponse(first));
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    // A refused cancel is an answer too: the same key gets the same refusal.
    const refused = await stripe.identity.verificationSessions.cancel(id, {}, { idempotencyKey: 'cancel-2' }).catch((e: unknown) => e);
    const replayed = await stripe.identity.verificationSessions.cancel(id, {}, { idempotencyKey: 'cancel-2' }).catch((e: unknown) => e);
    expect(replayed).toMatchObject({ statusCode: 400, code: 'verification_session_unexpected_state', message: (refused as Error).message });
    expect((replayed as Stripe.errors.StripeError).headers?.['idempotent-replayed']).toBe('true');
    expect((await eventsOf(id)).map((e) => e.type)).toEqual(['identity.verification_session.canceled', 'identity.verification_session.created']);
  });

  it('scopes keys by account, and refuses keys over 255 characters', async () => {
    const other = await newStripeAccount(service);
    const mine = await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: 'shared-key' });
    const theirs = await other.stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: 'shared-key' });
    expect(theirs.id).not.toBe(mine.id);
    await expect(stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: 'k'.repeat(256) })).rejects.toMatchObject({ statusCode: 400 });
  });
});
