/**
 * Concurrent requests on one session: every outcome must match some serial order of the
 * requests. Changes that conflict have exactly one winner; changes that do not are never lost.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { newStripeAccount, startService } from '../support/local-service';

let service: LocalRuntime;
let stripe: Stripe;

beforeAll(async () => {
  // These tests are about the redact call; the redaction job, an hour away, stays out of their way.
  process.env.VERITY_REDACTION_DELAY_SECONDS = '3600';
  service = await startService();
  ({ stripe } = await newStripeAccount(service));
});
afterAll(() => service.stop());

const ROUNDS = 8;
const settle = <T>(promises: Promise<T>[]) => Promise.allSettled(promises);
const winners = (results: PromiseSettledResult<unknown>[]) => results.filter((r) => r.status === 'fulfilled').length;
function expectInvalidState(results: PromiseSettledResult<unknown>[]) {
  for (const result of results) {
    if (result.status === 'rejected') {
      expect(result.reason).toMatchObject({ statusCode: 400, code: 'verification_session_unexpected_state' });
    }
  }
}

describe('racing requests on one session', () => {
  it('lets exactly one of several parallel cancels win', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { id } = await stripe.identity.verificationSessions.create({ type: 'document' });
      const results = await settle(Array.from({ length: 4 }, () => stripe.identity.verificationSessions.cancel(id)));
      expect(winners(results)).toBe(1);
      expectInvalidState(results);
    }
  });

  it('lets exactly one of several parallel redacts win', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { id } = await stripe.identity.verificationSessions.create({ type: 'document' });
      const results = await settle(Array.from({ length: 4 }, () => stripe.identity.verificationSessions.redact(id)));
      expect(winners(results)).toBe(1);
      expectInvalidState(results);
      expect(await stripe.identity.verificationSessions.retrieve(id)).toMatchObject({
        status: 'canceled',
        redaction: { status: 'processing' },
      });
    }
  });

  it('never loses an update: parallel updates of different metadata keys all land', async () => {
    const { id } = await stripe.identity.verificationSessions.create({ type: 'document' });
    const results = await settle(
      Array.from({ length: 8 }, (_, i) => stripe.identity.verificationSessions.update(id, { metadata: { [`key_${i}`]: `${i}` } })),
    );
    expect(winners(results)).toBe(8);
    const session = await stripe.identity.verificationSessions.retrieve(id);
    expect(session.metadata).toEqual(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`key_${i}`, `${i}`])));
  });

  it('orders update against cancel: either the update came first and both won, or the cancel won alone', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { id } = await stripe.identity.verificationSessions.create({ type: 'document' });
      const [update, cancel] = await settle<Stripe.Identity.VerificationSession>([
        stripe.identity.verificationSessions.update(id, { metadata: { round: `${round}` } }),
        stripe.identity.verificationSessions.cancel(id),
      ]);
      expect(cancel!.status).toBe('fulfilled');
      const final = await stripe.identity.verificationSessions.retrieve(id);
      expect(final.status).toBe('canceled');
      if (update!.status === 'fulfilled') {
        expect(final.metadata).toEqual({ round: `${round}` });
      } else {
        expectInvalidState([update!]);
        expect(final.metadata).toEqual({});
      }
    }
  });

  it('orders cancel against redact: a redact that comes second still redacts; a cancel that comes second loses', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { id } = await stripe.identity.verificationSessions.create({ type: 'document' });
      const [cancel, redact] = await settle([
        stripe.identity.verificationSessions.cancel(id),
        stripe.identity.verificationSessions.redact(id),
      ]);
      expect(redact!.status).toBe('fulfilled');
      expectInvalidState([cancel!]);
      expect(await stripe.identity.verificationSessions.retrieve(id)).toMatchObject({
        status: 'canceled',
        redaction: { status: 'processing' },
      });
    }
  });

  it('orders update against redact: an update after the redact is refused and changes nothing', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { id } = await stripe.identity.verificationSessions.create({ type: 'document' });
      const [update, redact] = await settle<Stripe.Identity.VerificationSession>([
        stripe.identity.verificationSessions.update(id, { type: 'id_number' }),
        stripe.identity.verificationSessions.redact(id),
      ]);
      expect(redact!.status).toBe('fulfilled');
      const final = await stripe.identity.verificationSessions.retrieve(id);
      expect(final).toMatchObject({ status: 'canceled', redaction: { status: 'processing' } });
      if (update!.status === 'fulfilled') {
        expect(final.type).toBe('id_number');
      } else {
        expectInvalidState([update!]);
        expect(final.type).toBe('document');
      }
    }
  });
});
