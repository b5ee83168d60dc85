/** Listing and paging as the SDK does it, with every filter, in both directions. */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { FILTERED_READ_BUDGET } from '../../functions/store/list-page';
import { countCalls } from '../support/dynamo-calls';
import { newStripeAccount, startService } from '../support/local-service';
import { seedSessions } from '../support/seed-sessions';

let service: LocalRuntime;
let stripe: Stripe;
/** In creation order, oldest first. */
const created: Stripe.Identity.VerificationSession[] = [];

beforeAll(async () => {
  service = await startService();
  ({ stripe } = await newStripeAccount(service));
  // Sessions of another account and of live mode in the same table must never show up.
  const noise = await newStripeAccount(service);
  for (let i = 0; i < 23; i++) {
    created.push(
      await stripe.identity.verificationSessions.create({
        type: i % 2 ? 'document' : 'id_number',
        client_reference_id: `ref_${i % 3}`,
        ...(i % 4 === 0 ? { related_customer: 'cus_A' } : {}),
        ...(i % 5 === 0 ? { related_customer_account: 'acct_B' } : {}),
      }),
    );
    if (i % 6 === 0) await noise.stripe.identity.verificationSessions.create({ type: 'document', client_reference_id: 'ref_0' });
  }
  for (const index of [1, 7, 12]) created[index] = await stripe.identity.verificationSessions.cancel(created[index]!.id);
});
afterAll(() => service.stop());

const ids = (sessions: { id: string }[]) => sessions.map((session) => session.id);
const newestFirst = (sessions: Stripe.Identity.VerificationSession[]) => [...sessions].reverse();

async function collect(params: Stripe.Identity.VerificationSessionListParams) {
  const out: Stripe.Identity.VerificationSession[] = [];
  for await (const session of stripe.identity.verificationSessions.list(params)) out.push(session);
  return out;
}

describe('pages', () => {
  it('returns the newest ten by default, in the list envelope', async () => {
    const page = await stripe.identity.verificationSessions.list();
    expect(page.object).toBe('list');
    expect(page.url).toBe('/v1/identity/verification_sessions');
    expect(page.has_more).toBe(true);
    expect(ids(page.data)).toEqual(ids(newestFirst(created).slice(0, 10)));
  });

  it('auto-pages forward through every session, newest first', async () => {
    expect(ids(await collect({ limit: 4 }))).toEqual(ids(newestFirst(created)));
  });

  it('auto-pages backward from the oldest through every newer session', async () => {
    const oldest = created[0]!;
    // The SDK walks ending_before pages and yields each page oldest first.
    expect(ids(await collect({ limit: 4, ending_before: oldest.id }))).toEqual(ids(created.slice(1)));
  });

  it('pages by hand in both directions with has_more at each end', async () => {
    const first = await stripe.identity.verificationSessions.list({ limit: 5 });
    const second = await stripe.identity.verificationSessions.list({ limit: 5, starting_after: first.data[4]!.id });
    expect(ids(second.data)).toEqual(ids(newestFirst(created).slice(5, 10)));
    const back = await stripe.identity.verificationSessions.list({ limit: 5, ending_before: second.data[0]!.id });
    expect(ids(back.data)).toEqual(ids(first.data));
    expect(back.has_more).toBe(false);
    const last = await stripe.identity.verificationSessions.list({ limit: 5, starting_after: created[3]!.id });
    expect(ids(last.data)).toEqual(ids(newestFirst(created.slice(0, 3))));
    expect(last.has_more).toBe(false);
    const max = await stripe.identity.verificationSessions.list({ limit: 100 });
    expect(max.data).toHaveLength(created.length);
    expect(max.has_more).toBe(false);
  });
});

describe('filters', () => {
  const cases: [string, Stripe.Identity.VerificationSessionListParams, (s: Stripe.Identity.VerificationSession) => boolean][] = [
    ['status', { status: 'canceled' }, (s) => s.status === 'canceled'],
    ['status', { status: 'requires_input' }, (s) => s.status === 'requires_input'],
    ['client_reference_id', { client_reference_id: 'ref_0' }, (s) => s.client_reference_id === 'ref_0'],
    ['related_customer', { related_customer: 'cus_A' }, (s) => s.related_customer === 'cus_A'],
    ['related_customer_account', { related_customer_account: 'acct_B' }, (s) => s.related_customer_account === 'acct_B'],
    [
      'two filters',
      { client_reference_id: 'ref_1', status: 'canceled' },
      (s) => s.client_reference_id === 'ref_1' && s.status === 'canceled',
    ],
    [
      'three filters',
      { related_customer: 'cus_A', client_reference_id: 'ref_0', status: 'requires_input' },
      (s) => s.related_customer === 'cus_A' && s.client_reference_id === 'ref_0' && s.status === 'requires_input',
    ],
  ];
  for (const [name, params, matches] of cases) {
    it(`filters by ${name} ${JSON.stringify(params)} across pages in both directions`, async () => {
      const expected = newestFirst(created).filter(matches);
      expect(expected.length).toBeGreaterThan(0);
      expect(ids(await collect({ ...params, limit: 2 }))).toEqual(ids(expected));
      const oldest = expected[expected.length - 1]!;
      expect(ids(await collect({ ...params, limit: 2, ending_before: oldest.id }))).toEqual(ids(expected.slice(0, -1).reverse()));
    });
  }

  it('filters by created, exactly and by range', async () => {
    const times = [...new Set(created.map((s) => s.created))];
    const pivot = times[Math.floor(times.length / 2)]!;
    const ranges: [Stripe.Identity.VerificationSessionListParams['created'], (t: number) => boolean][] = [
      [pivot, (t) => t === pivot],
      [{ gt: pivot }, (t) => t > pivot],
      [{ gte: pivot }, (t) => t >= pivot],
      [{ lt: pivot }, (t) => t < pivot],
      [{ lte: pivot }, (t) => t <= pivot],
      [{ gte: pivot, lte: pivot }, (t) => t === pivot],
      [{ gt: pivot, lt: pivot }, () => false],
      [{ gte: 0, lt: 1 }, () => false],
      // Past the year 8000, beyond what an id can encode.
      [{ gte: 218340105585 }, () => false],
      [{ lt: 218340105585 }, () => true],
    ];
    for (const [range, matches] of ranges) {
      const expected = newestFirst(created).filter((s) => matches(s.created));
      expect(ids(await collect({ created: range, limit: 3 })), JSON.stringify(range)).toEqual(ids(expected));
    }
  });

  it('expands fields of every listed session with data. paths', async () => {
    const page = await stripe.identity.verificationSessions.list({ limit: 2, expand: ['data.provided_details', 'data.verified_outputs'] });
    for (const session of page.data) {
      expect(session).toHaveProperty('provided_details', null);
      expect(session).toHaveProperty('verified_outputs', null);
    }
  });
});

describe('two filters over many sessions', () => {
  it('the SDK auto-pages through every match while each request reads a fixed number of items', async () => {
    const account = await newStripeAccount(service);
    // The reference picks the index (every session); the customer is checked on the items read.
    const sessions = await seedSessions(account.scope, FILTERED_READ_BUDGET + 150, (i) => ({
      type: 'document',
      client_reference_id: 'same',
      related_customer: i % 250 === 7 || i === 8 ? 'cus_wanted' : 'cus_other',
    }));
    const matches = sessions.filter((session) => session.related_customer === 'cus_wanted').map((session) => session.id);
    let requests = 0;
    account.stripe.on('request', () => requests++);
    for (const ending_before of [undefined, sessions[0]!.id]) {
      const params = {
        client_reference_id: 'same',
        related_customer: 'cus_wanted',
        limit: 100,
        ...(ending_before ? { ending_before } : {}),
      };
      requests = 0;
      const seen: string[] = [];
      const { itemsRead } = await countCalls(() =>
        account.stripe.identity.verificationSessions.list(params).autoPagingEach((session) => void seen.push(session.id)),
      );
      // Forward: newest first; backward from the oldest: oldest first, as the SDK yields them.
      expect(seen).toEqual(ending_before ? matches : [...matches].reverse());
      expect(itemsRead).toBeLessThanOrEqual(requests * FILTERED_READ_BUDGET);
      expect(requests).toBeGreaterThan(1);
    }
  });
});
