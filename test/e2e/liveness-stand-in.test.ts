/**
 * Face Liveness in test mode, through the page's routes on the local service: the stand-in
 * (no AWS call, no credentials), the caps per attempt and session, what submit refuses (another
 * session's liveness id, a replayed one, an unknown one), and the liveness test outcomes.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { MAX_LIVENESS_PER_ATTEMPT } from '../../functions/store/liveness-sessions';
import { LIVENESS_REASONS } from '../../functions/domain/verification-checks';
import { catalogueOf } from '../../functions/hosted-page/catalogue-files';
import { newStripeAccount, startService } from '../support/local-service';
import { acceptOnPage, eventually, expectStatus, submitFromPage, type PageVisit } from '../support/verification';

let service: LocalRuntime;
let stripe: Stripe;
beforeAll(async () => {
  service = await startService();
  ({ stripe } = await newStripeAccount(service));
});
afterAll(() => service.stop());

const SELFIE_SESSION = { type: 'document', options: { document: { require_matching_selfie: true } } } as const;

async function newVisit(options: Stripe.Identity.VerificationSessionCreateParams = SELFIE_SESSION) {
  const session = await stripe.identity.verificationSessions.create(options);
  return { session, visit: await acceptOnPage(service.url, session.url!) };
}

const startLiveness = (visit: PageVisit, body: unknown = {}) =>
  fetch(`${visit.serviceUrl}${visit.path}/liveness_sessions`, {
    method: 'POST',
    headers: { cookie: visit.cookie, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function started(visit: PageVisit): Promise<{ id: string }> {
  const response = await startLiveness(visit);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as { id: string };
}

const errorOf = async (response: Response) => ((await response.json()) as { error: Record<string, unknown> }).error;

describe('POST /start/{token}/liveness_sessions in test mode', () => {
  it('answers a stand-in liveness session: a UUID, no region, no credentials, expiring in 3 minutes', async () => {
    const { visit } = await newVisit();
    const before = Math.floor(Date.now() / 1000);
    const response = await startLiveness(visit);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      object: 'liveness_session',
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      mode: 'stand_in',
      region: null,
      challenge: 'FaceMovementAndLightChallenge',
      expires_at: expect.any(Number),
      credentials: null,
    });
    expect(body.expires_at as number).toBeGreaterThanOrEqual(before + 180);
    expect(body.expires_at as number).toBeLessThanOrEqual(before + 182);
  });

  it(`refuses a liveness session past ${MAX_LIVENESS_PER_ATTEMPT} an attempt, with a 400 that says why`, async () => {
    const { visit } = await newVisit();
    for (let i = 0; i < MAX_LIVENESS_PER_ATTEMPT; i++) await started(visit);
    const refused = await startLiveness(visit);
    expect(refused.status).toBe(400);
    expect(await errorOf(refused)).toMatchObject({ type: 'invalid_request_error', code: 'liveness_session_limit' });
    // In the page's words: the way out it names is the page's own button, in the person's language.
    const german = await fetch(`${visit.serviceUrl}${visit.path}/liveness_sessions?locale=de`, {
      method: 'POST',
      headers: { cookie: visit.cookie, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(german.status).toBe(400);
    const { message } = (await errorOf(german)) as { message: string };
    expect(message).toContain('(höchstens 3)');
    expect(message).toContain(`„${catalogueOf('de')['liveness.way_out']}“`);
  });

  it('refuses a session whose selfie uses no liveness (400), a page without a cookie (401), and unknown parameters', async () => {
    const { visit } = await newVisit({ type: 'document' });
    const refused = await startLiveness(visit);
    expect(refused.status).toBe(400);
    expect(await errorOf(refused)).toMatchObject({ code: 'liveness_not_used' });

    const { visit: selfie } = await newVisit();
    const noCookie = await startLiveness({ ...selfie, cookie: '' });
    expect(noCookie.status).toBe(401);
    const extra = await startLiveness(selfie, { region: 'us-east-1' });
    expect(extra.status).toBe(400);
    expect(await errorOf(extra)).toMatchObject({ param: 'region' });
  });

  it('refuses once the session no longer waits for input (submitted)', async () => {
    const { visit } = await newVisit();
    const submitted = await submitFromPage(visit, { test_case: 'verified' });
    expect(submitted.status).toBe(200);
    const refused = await startLiveness(visit);
    expect(refused.status).toBe(401);
  });
});

describe('submit with the liveness stand-in', () => {
  it('verifies with the liveness session it started', async () => {
    const { session, visit } = await newVisit();
    const { id } = await started(visit);
    const submitted = await submitFromPage(visit, { test_case: 'verified', liveness_session: id });
    expect(submitted.status, await submitted.clone().text()).toBe(200);
    await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('verified'));
  });

  it('refuses another session’s liveness id, an unknown one, and a replay after a failed try', async () => {
    const { visit: other } = await newVisit();
    const { id: othersId } = await started(other);
    const { session, visit } = await newVisit();
    const foreign = await submitFromPage(visit, { test_case: 'verified', liveness_session: othersId });
    expect(foreign.status).toBe(400);
    expect(await errorOf(foreign)).toMatchObject({ param: 'liveness_session', message: expect.stringMatching(/not started for this/) });
    const unknown = await submitFromPage(visit, { liveness_session: 'not-a-uuid' });
    expect(unknown.status).toBe(400);

    // A failed try (a low liveness score), then the same liveness id again on the next try: refused.
    const { id } = await started(visit);
    expect((await submitFromPage(visit, { test_case: 'selfie_manipulated', liveness_session: id })).status).toBe(200);
    const failed = await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('requires_input'));
    expect(failed.last_error).toEqual({ code: 'selfie_manipulated', reason: expect.any(String) });
    // The person tries again with a new link: the old liveness id belongs to the attempt that failed.
    expect(failed.url).toEqual(expect.any(String));
    const again = await acceptOnPage(service.url, failed.url!);
    const replay = await submitFromPage(again, { test_case: 'verified', liveness_session: id });
    expect(replay.status).toBe(400);
    expect(await errorOf(replay)).toMatchObject({ param: 'liveness_session', message: expect.stringMatching(/earlier try/) });
  });

  it('offers liveness_expired as a test outcome: selfie_unverified_other with the liveness reason', async () => {
    const { session, visit } = await newVisit();
    const page = await fetch(`${visit.serviceUrl}${visit.path}`, { headers: { cookie: visit.cookie } });
    expect(await page.text()).toContain('value="liveness_expired"');
    const { id } = await started(visit);
    expect((await submitFromPage(visit, { test_case: 'liveness_expired', liveness_session: id })).status).toBe(200);
    const failed = await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('requires_input'));
    expect(failed.last_error).toEqual({ code: 'selfie_unverified_other', reason: LIVENESS_REASONS.expired });
  });

  it('takes liveness_unavailable, and refuses both liveness fields at once and liveness fields where none is used', async () => {
    const { session, visit } = await newVisit();
    const { id } = await started(visit);
    const both = await submitFromPage(visit, { liveness_session: id, liveness_unavailable: true });
    expect(both.status).toBe(400);
    const { visit: plain } = await newVisit({ type: 'document' });
    const notUsed = await submitFromPage(plain, { liveness_unavailable: true });
    expect(notUsed.status).toBe(400);
    expect(await errorOf(notUsed)).toMatchObject({ param: 'liveness_unavailable' });
    // The person's way out: the selfie is not verified, with the reason, whatever test outcome was picked.
    expect((await submitFromPage(visit, { test_case: 'verified', liveness_unavailable: true })).status).toBe(200);
    const failed = await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('requires_input'));
    expect(failed.last_error).toEqual({ code: 'selfie_unverified_other', reason: LIVENESS_REASONS.unavailable });
  });
});
