/**
 * The console's funnel and find box over HTTP, on the local runtime (whose funnel counter reads the
 * table's stream as Lambda's would): a scripted mix of test-mode sessions (created only, page opened,
 * verified, failed with codes) made through the SDK and the page's routes shows up in the funnel once
 * each; another account's sessions never do. A session is found by its id and by its client
 * reference, exactly, and never another account's.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../functions/domain/scope';
import type { LocalRuntime } from '../../local/runtime';
import { consoleLinkToken, signInToConsole } from '../support/console';
import { pngImage } from '../support/images';
import { newStripeAccount, startService } from '../support/local-service';
import { acceptOnPage, eventually, expectStatus, submitOnPage } from '../support/verification';

let service: LocalRuntime;
beforeAll(async () => {
  service = await startService();
});
afterAll(async () => {
  await service?.stop();
});

const consoleGet = (path: string, cookie: string) => fetch(`${service.url}${path}`, { headers: { cookie }, redirect: 'manual' });

/** The funnel page's totals row: created, opened, submitted, verified; and its error codes with their counts. */
function funnelOf(page: string) {
  const total = /<tr class="funnel-total">([\s\S]*?)<\/tr>/.exec(page)![1]!;
  const [created, opened, submitted, verified] = [...total.matchAll(/<td>(\d+)/g)].map((match) => Number(match[1]));
  const errors = Object.fromEntries(
    [...page.matchAll(/<tr class="funnel-error"><th scope="row"><code>([a-z_]+)<\/code><\/th><td>(\d+)<\/td>/g)].map((match) => [
      match[1],
      Number(match[2]),
    ]),
  );
  return { created, opened, submitted, verified, errors };
}

describe('the console funnel', () => {
  let stripe: Stripe;
  let scope: Scope;

  beforeAll(async () => {
    ({ stripe, scope } = await newStripeAccount(service));
  });

  it('counts a scripted mix of sessions once per stage, by UTC day, with the top error codes, and nothing of another account', async () => {
    const create = () => stripe.identity.verificationSessions.create({ type: 'document' });
    const submit = async (testCase: string) => {
      const session = await create();
      const response = await submitOnPage(service.url, session.url!, {
        document_type: 'passport',
        document_front: pngImage(320, 200),
        test_case: testCase,
      });
      expect(response.status).toBe(200);
      return session;
    };
    // Two created only, one opened (consent accepted) and left, two verified, three failed: two expired, one unverified.
    await create();
    await create();
    await acceptOnPage(service.url, (await create()).url!);
    const made = await Promise.all([
      submit('verified'),
      submit('verified'),
      submit('document_expired'),
      submit('document_expired'),
      submit('document_unverified_other'),
    ]);
    for (const [i, session] of made.entries())
      await eventually(
        () => stripe.identity.verificationSessions.retrieve(session.id),
        expectStatus(i < 2 ? 'verified' : 'requires_input'),
      );
    // Another account's sessions, on the same stream, count in its funnel only.
    const other = await newStripeAccount(service);
    await other.stripe.identity.verificationSessions.create({ type: 'document' });

    const cookie = await signInToConsole(service.url, await consoleLinkToken(scope, 'viewer'));
    const page = await eventually(
      async () => (await consoleGet('/console/funnel', cookie)).text(),
      (html) =>
        expect(funnelOf(html)).toEqual({
          created: 8,
          opened: 6,
          submitted: 5,
          verified: 2,
          errors: { document_expired: 2, document_unverified_other: 1 },
        }),
    );
    // Today's row (UTC) holds them all, with each rate of the stage before it.
    const today = new Date().toISOString().slice(0, 10);
    expect(page).toMatch(
      new RegExp(
        `<time datetime="${today}">${today}</time></th><td>8</td><td>6 <span class="rate">75%</span></td>` +
          '<td>5 <span class="rate">83%</span>',
      ),
    );
    expect(page).toContain('Top errors');

    const otherCookie = await signInToConsole(service.url, await consoleLinkToken(other.scope, 'viewer'));
    await eventually(
      async () => funnelOf(await (await consoleGet('/console/funnel', otherCookie)).text()),
      (funnel) => expect(funnel).toEqual({ created: 1, opened: 0, submitted: 0, verified: 0, errors: {} }),
    );
  }, 120_000);
});

describe('the console find box', () => {
  it('finds a session by its id and by its client reference, exactly, and never another account’s', async () => {
    const { stripe, scope } = await newStripeAccount(service);
    const other = await newStripeAccount(service);
    const reference = `order-${Math.random().toString(36).slice(2)}`;
    const session = await stripe.identity.verificationSessions.create({ type: 'document', client_reference_id: reference });
    await stripe.identity.verificationSessions.create({ type: 'document', client_reference_id: `${reference}-2` });
    const theirs = await other.stripe.identity.verificationSessions.create({ type: 'document', client_reference_id: reference });

    const reviewer = await signInToConsole(service.url, await consoleLinkToken(scope, 'reviewer'));
    const byId = await consoleGet(`/console/verification_sessions?find=${session.id}`, reviewer);
    expect(byId.status).toBe(303);
    expect(byId.headers.get('location')).toBe(`/console/verification_sessions/${session.id}`);
    expect((await consoleGet(byId.headers.get('location')!, reviewer)).status).toBe(200);
    // Another account's id leads to its page, which this account cannot see.
    const theirsById = await consoleGet(`/console/verification_sessions?find=${theirs.id}`, reviewer);
    expect((await consoleGet(theirsById.headers.get('location')!, reviewer)).status).toBe(404);

    const byReference = await (await consoleGet(`/console/verification_sessions?find=${encodeURIComponent(reference)}`, reviewer)).text();
    expect([...byReference.matchAll(/href="\/console\/verification_sessions\/(vs_\w+)"/g)].map((match) => match[1])).toEqual([session.id]);

    // A viewer finds by id, and is told that a client reference is not theirs to search.
    const viewer = await signInToConsole(service.url, await consoleLinkToken(scope, 'viewer'));
    expect((await consoleGet(`/console/verification_sessions?find=${session.id}`, viewer)).status).toBe(303);
    const refused = await consoleGet(`/console/verification_sessions?find=${encodeURIComponent(reference)}`, viewer);
    expect(refused.status).toBe(400);
    expect(await refused.text()).not.toContain(reference);
  }, 60_000);
});
