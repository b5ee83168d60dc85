/** Idempotency keys, as Stripe defines them, through the official SDK. */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import { dynamo } from '../../functions/store/client';
import { getSession } from '../../functions/store/sessions';
import { tableName } from '../../functions/store/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { failure, newStripeAccount, startService, withoutResponse } from '../support/local-service';
import { testHelpers } from '../support/verification';
import { funnelCountPartitionPrefix, funnelMarkPartitionPrefix } from '../../functions/store/funnel-counts';

let service: LocalRuntime;
let stripe: Stripe;
let account: string;

beforeAll(async () => {
  // The redaction job's own calls, an hour away, stay out of the calls these tests count.
  process.env.VERITY_REDACTION_DELAY_SECONDS = '3600';
  service = await startService();
  ({
    stripe,
    scope: { account },
  } = await newStripeAccount(service));
});
afterAll(() => service.stop());

/**
 * The DynamoDB calls `run` makes on the account's items (an SDK middleware on the handlers'
 * client, which runs in this process). The rate limiter's leases (UpdateItem, one per container
 * and second, not per request) are left out: its own tests count them; so are the funnel counter's.
 */
async function callsOf(run: () => Promise<unknown>): Promise<string[]> {
  const calls: string[] = [];
  const name = `count-${Math.random()}`;
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      const command = (context.commandName as string).replace(/Command$/, '');
      const input = JSON.stringify(args.input);
      // The funnel counter (a stream worker in this process) counts the account's sessions on its own schedule: not the request's calls.
      const counting = input.includes(funnelCountPartitionPrefix) || input.includes(funnelMarkPartitionPrefix);
      if (command !== 'UpdateItem' && input.includes(account) && !counting) calls.push(command);
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    await run();
    return calls;
  } finally {
    dynamo().middlewareStack.remove(name);
  }
}

/**
 * Two racing requests in a set order: the account's first transaction is held until its second
 * one has finished, so the first is sent on what it read before the second was written.
 */
async function holdingFirstTransaction<T>(run: () => Promise<T>): Promise<T> {
  let seen = 0;
  let release!: () => void;
  const released = new Promise<void>((done) => (release = done));
  const name = `hold-${Math.random()}`;
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand' || !JSON.stringify(args.input).includes(account)) return next(args);
      seen++;
      if (seen === 1) {
        // Never wait forever: a request that sends no second transaction fails the test's checks instead.
        await Promise.race([released, new Promise((done) => setTimeout(done, 10_000))]);
        return next(args);
      }
      try {
        return await next(args);
      } finally {
        if (seen === 2) release();
      }
    },
    { step: 'initialize', name },
  );
  try {
    return await run();
  } finally {
    dynamo().middlewareStack.remove(name);
  }
}

/**
 * The saved responses that show a session, from a scan of the whole table: a scan page stops at
 * 1 MB, and the table holds every test file's images, so one page is not enough.
 */
async function savedResponsesOf(sessionId: string): Promise<Record<string, any>[]> {
  const found: Record<string, any>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new ScanCommand({
        TableName: tableName(),
        ExclusiveStartKey,
        // Which session a saved response showed is kept in clear (its body is sealed under the session's key).
        FilterExpression: 'sk = :kind AND #response.#session = :id',
        ExpressionAttributeNames: { '#response': 'response', '#session': 'session' },
        ExpressionAttributeValues: { ':kind': 'idempotency_key', ':id': sessionId },
      }),
    );
    found.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return found;
}

const replayed = (response: { lastResponse: { headers: Record<string, string> } }) =>
  response.lastResponse.headers['idempotent-replayed'] === 'true';

const eventsOf = async (sessionId: string) =>
  (await stripe.events.list({ limit: 100 })).data.filter((e) => (e.data.object as { id: string }).id === sessionId);

describe('idempotency keys', () => {
  it('answers a create retried five times with one session, one created event and five identical responses', async () => {
    const responses = [];
    for (let i = 0; i < 5; i++) {
      responses.push(
        await stripe.identity.verificationSessions.create({ type: 'document', metadata: { order: '42' } }, { idempotencyKey: 'order-42' }),
      );
    }
    expect(new Set(responses.map((r) => JSON.stringify(withoutResponse(r)))).size).toBe(1);
    expect(responses[0]!.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    for (const replay of responses.slice(1)) expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await eventsOf(responses[0]!.id)).map((e) => e.type)).toEqual(['identity.verification_session.created']);
    // The replays show the same usable credentials, yet the saved record holds neither of them.
    expect(responses[4]!.client_secret).toBe(responses[0]!.client_secret);
    expect(responses[0]!.client_secret).toMatch(/_secret_test_/);
    const Items = await savedResponsesOf(responses[0]!.id);
    expect(Items).toHaveLength(1);
    expect(JSON.stringify(Items)).not.toContain(responses[0]!.client_secret);
    expect(JSON.stringify(Items)).not.toContain('/start/');
  });

  it('gives one session for five concurrent creates with one key, each answered at once (no 409 to retry)', async () => {
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        stripe.identity.verificationSessions.create({ type: 'id_number' }, { idempotencyKey: 'concurrent-1' }),
      ),
    );
    expect(new Set(responses.map((r) => r.id)).size).toBe(1);
    expect(new Set(responses.map((r) => JSON.stringify(withoutResponse(r)))).size).toBe(1);
    expect(responses.filter(replayed)).toHaveLength(4);
    expect(await eventsOf(responses[0]!.id)).toHaveLength(1);
  });

  it(
    "makes the same DynamoDB calls with a key as without: create 1, a change 1 read + 1 transaction, a replay its session key's read " +
      'more',
    async () => {
      const sessions = stripe.identity.verificationSessions;
      const { id } = await sessions.create({ type: 'document' }); // the key's lookup is cached from here on
      expect(await callsOf(() => sessions.create({ type: 'document' }, { idempotencyKey: 'calls-create' }))).toEqual([
        'TransactWriteItems',
      ]);
      // A saved response cannot tell that its session was redacted since: its key is read again (functions/store/session-keys.ts).
      expect(await callsOf(() => sessions.create({ type: 'document' }, { idempotencyKey: 'calls-create' }))).toEqual([
        'TransactWriteItems',
        'BatchGetItem',
      ]);
      expect(await callsOf(() => sessions.update(id, { metadata: { a: '1' } }, { idempotencyKey: 'calls-update' }))).toEqual([
        'GetItem',
        'TransactWriteItems',
      ]);
      expect(await callsOf(() => sessions.cancel(id, {}, { idempotencyKey: 'calls-cancel' }))).toEqual(['GetItem', 'TransactWriteItems']);
      expect(await callsOf(() => sessions.redact(id, {}, { idempotencyKey: 'calls-redact' }))).toEqual(['GetItem', 'TransactWriteItems']);
      const other = await sessions.create({ type: 'document' });
      expect(await callsOf(() => testHelpers(stripe).process(other.id))).toEqual(['GetItem', 'TransactWriteItems']);
    },
  );

  it('answers a create that lost on the key’s condition with the winner’s response', async () => {
    const create = () =>
      stripe.identity.verificationSessions.create({ type: 'document', metadata: { race: 'key' } }, { idempotencyKey: 'race-key' });
    const [first, second] = await holdingFirstTransaction(() => Promise.all([create(), create()]));
    expect(withoutResponse(first!)).toEqual(withoutResponse(second!));
    expect([first!, second!].filter(replayed)).toHaveLength(1);
    expect((await eventsOf(first!.id)).map((e) => e.type)).toEqual(['identity.verification_session.created']);
    expect((await stripe.identity.verificationSessions.list({ limit: 100 })).data.filter((s) => s.metadata.race === 'key')).toHaveLength(1);
  });

  it('decides again a change that lost on the version alone: both changes land, each under its own key', async () => {
    const { id } = await stripe.identity.verificationSessions.create({ type: 'document' });
    const update = (n: number) =>
      stripe.identity.verificationSessions.update(id, { metadata: { [`k${n}`]: 'v' } }, { idempotencyKey: `race-version-${n}` });
    const responses = await holdingFirstTransaction(() => Promise.all([update(1), update(2)]));
    expect(responses.filter(replayed)).toHaveLength(0);
    expect((await stripe.identity.verificationSessions.retrieve(id)).metadata).toEqual({ k1: 'v', k2: 'v' });
    // Each key saved its own answer.
    for (const [i, response] of responses.entries()) {
      const again = await update(i + 1);
      expect(replayed(again)).toBe(true);
      expect(withoutResponse(again)).toEqual(withoutResponse(response));
    }
  });

  it('answers a cancel that lost on the version and the key at once with the winner’s response, and one event', async () => {
    const { id } = await stripe.identity.verificationSessions.create({ type: 'document' });
    const cancel = () => stripe.identity.verificationSessions.cancel(id, {}, { idempotencyKey: 'race-both' });
    const [first, second] = await holdingFirstTransaction(() => Promise.all([cancel(), cancel()]));
    expect(withoutResponse(first!)).toEqual(withoutResponse(second!));
    expect([first!, second!].filter(replayed)).toHaveLength(1);
    expect((await eventsOf(id)).map((e) => e.type)).toEqual([
      'identity.verification_session.canceled',
      'identity.verification_session.created',
    ]);
    expect(await getSession({ account, mode: 'test' }, id)).toMatchObject({ version: 2 });
  });

  it(
    'refuses a racing request with the same key and other parameters with idempotency_error; only the winner changes the ' + 'session',
    async () => {
      const { id } = await stripe.identity.verificationSessions.create({ type: 'document' });
      const update = (value: string) =>
        stripe.identity.verificationSessions.update(id, { metadata: { value } }, { idempotencyKey: 'race-other-params' });
      const outcomes = await holdingFirstTransaction(() => Promise.allSettled([update('first'), update('second')]));
      // Whichever transaction reached DynamoDB first was held, so the other request won; which one
      // that is depends on the machine, not on the order the requests were sent in.
      const winner = outcomes.findIndex((outcome) => outcome.status === 'fulfilled');
      expect(winner).not.toBe(-1);
      expect(outcomes[1 - winner]).toMatchObject({ status: 'rejected', reason: { statusCode: 400, type: 'StripeIdempotencyError' } });
      expect(await stripe.identity.verificationSessions.retrieve(id)).toMatchObject({ metadata: { value: ['first', 'second'][winner] } });
      expect(await getSession({ account, mode: 'test' }, id)).toMatchObject({ version: 2 });
    },
  );

  it('replays a retried update without changing the session again', async () => {
    const { id } = await stripe.identity.verificationSessions.create({ type: 'document' });
    const update = () => stripe.identity.verificationSessions.update(id, { metadata: { once: 'yes' } }, { idempotencyKey: 'update-once' });
    const first = await update();
    const again = await update();
    expect(replayed(again)).toBe(true);
    expect(withoutResponse(again)).toEqual(withoutResponse(first));
    expect(await getSession({ account, mode: 'test' }, id)).toMatchObject({ version: 2 });
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
    await expect(
      stripe.identity.verificationSessions.create({} as Stripe.Identity.VerificationSessionCreateParams, { idempotencyKey: 'fix-me' }),
    ).rejects.toMatchObject({ code: 'parameter_missing' });
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
    const refused = await failure(stripe.identity.verificationSessions.cancel(id, {}, { idempotencyKey: 'cancel-2' }));
    const replayed = await failure(stripe.identity.verificationSessions.cancel(id, {}, { idempotencyKey: 'cancel-2' }));
    expect(replayed).toMatchObject({ statusCode: 400, code: 'verification_session_unexpected_state', message: (refused as Error).message });
    expect((replayed as Stripe.errors.StripeError).headers?.['idempotent-replayed']).toBe('true');
    expect((await eventsOf(id)).map((e) => e.type)).toEqual([
      'identity.verification_session.canceled',
      'identity.verification_session.created',
    ]);
  });

  it('keeps the key and the fingerprint only as digests under the signing secret, so a copy of the table cannot test guesses', async () => {
    const key = 'user-4711';
    const params = { type: 'document' as const, client_reference_id: 'user-4711', metadata: { email: 'jenny.rosen@example.com' } };
    const create = () => stripe.identity.verificationSessions.create(params, { idempotencyKey: key });
    const recordOf = async (sessionId: string) => {
      const found = await savedResponsesOf(sessionId);
      expect(found).toHaveLength(1);
      return found[0]!;
    };
    const first = await create();
    const record = await recordOf(first.id);
    // The saved body is sealed under the session's key: the record holds none of the request's values in clear.
    expect(JSON.stringify(record)).not.toContain('jenny.rosen@example.com');
    expect(record.response_sealed).toBeInstanceOf(Uint8Array);
    // Someone with the table who guesses the key and the whole request, and hashes them as a plain hash would have been:
    const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
    const form = { client_reference_id: params.client_reference_id, metadata: params.metadata, type: params.type };
    expect(record.pk).not.toContain(sha256(key));
    expect(record.fingerprint).not.toBe(sha256(JSON.stringify(['POST', '/v1/identity/verification_sessions', form])));
    expect(`${record.pk} ${record.fingerprint}`).not.toContain(key);
    // The digests depend on the secret: under another one the very same request is another key (a new session), with another fingerprint.
    const secret = process.env.VERITY_SIGNING_SECRET;
    process.env.VERITY_SIGNING_SECRET = 'another-signing-secret-0123456789-abcdefghij';
    let second: Awaited<ReturnType<typeof create>>;
    try {
      second = await create();
    } finally {
      process.env.VERITY_SIGNING_SECRET = secret;
    }
    expect(second.id).not.toBe(first.id);
    const other = await recordOf(second.id);
    expect(other.pk).not.toBe(record.pk);
    expect(other.fingerprint).not.toBe(record.fingerprint);
    // Under the secret it was made with, the key replays as before.
    const again = await create();
    expect(again.id).toBe(first.id);
    expect(replayed(again)).toBe(true);
  });

  it('scopes keys by account, and refuses keys over 255 characters', async () => {
    const other = await newStripeAccount(service);
    const mine = await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: 'shared-key' });
    const theirs = await other.stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: 'shared-key' });
    expect(theirs.id).not.toBe(mine.id);
    await expect(
      stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: 'k'.repeat(256) }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});
