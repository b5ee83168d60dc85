/**
 * Concurrency as a property: random interleavings of create, update, cancel, redact and the test
 * helpers' transitions, fired in parallel at the same sessions through the SDK, against DynamoDB
 * Local. After each run, for every session: its events trace a legal path of the state machine,
 * its version counts exactly the requests that succeeded, and every transition has exactly one
 * event. `VERITY_PROPERTY_RUNS` raises the number of runs.
 */
import fc from 'fast-check';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSession } from '../../functions/store/sessions';
import type { LocalRuntime } from '../../local/runtime';
import { newStripeAccount, startService } from '../support/local-service';
import { eventually, testHelpers } from '../support/verification';

const RUNS = Number(process.env.VERITY_PROPERTY_RUNS ?? 12);
let service: LocalRuntime;

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.stop());

const OPERATIONS = ['update', 'cancel', 'redact', 'process', 'verify', 'require_input'] as const;
type Operation = (typeof OPERATIONS)[number];

/** The state machine: every status change a session may make. */
const LEGAL = new Set(['requires_input>processing', 'requires_input>canceled', 'processing>requires_input', 'processing>verified']);

function run(stripe: Stripe, operation: Operation, id: string, step: number) {
  const sessions = stripe.identity.verificationSessions;
  const helpers = testHelpers(stripe);
  switch (operation) {
    case 'update':
      return sessions.update(id, { metadata: { [`k${step}`]: 'v' } });
    case 'cancel':
      return sessions.cancel(id);
    case 'redact':
      return sessions.redact(id);
    case 'process':
      return helpers.process(id);
    case 'verify':
      return helpers.verify(id);
    case 'require_input':
      return helpers.requireInput(id, { last_error: { code: 'document_expired' } });
  }
}

describe('concurrent changes to the same sessions', () => {
  it(`keep every session on a legal path, counted and evented exactly, over ${RUNS} random interleavings`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.record({ session: fc.nat(2), operation: fc.constantFrom(...OPERATIONS) }), { minLength: 4, maxLength: 14 }),
        async (sessionCount, plan) => {
          const { stripe, scope } = await newStripeAccount(service);
          const ids = await Promise.all(
            Array.from({ length: sessionCount }, async () => (await stripe.identity.verificationSessions.create({ type: 'document' })).id),
          );
          const steps = plan.map((step, i) => ({ ...step, id: ids[step.session % sessionCount]!, i }));
          const results = await Promise.allSettled(steps.map((step) => run(stripe, step.operation, step.id, step.i)));

          for (const result of results) {
            // A refused change is refused for a reason the client can act on, never a failure of ours.
            if (result.status === 'rejected') expect([400, 409]).toContain((result.reason as Stripe.errors.StripeError).statusCode);
          }
          // Redactions finish on their own, within seconds: wait for them, so what is read is settled.
          await eventually(
            () => Promise.all(ids.map((id) => getSession(scope, id))),
            (stored) => expect(stored.filter((s) => s!.session.redaction?.status === 'processing')).toEqual([]),
            30_000,
          );
          const events = (await stripe.events.list({ limit: 100 })).data.reverse();
          for (const id of ids) {
            const succeeded = steps.filter((step, i) => step.id === id && results[i]!.status === 'fulfilled');
            const count = (operation: Operation) => succeeded.filter((step) => step.operation === operation).length;
            const all = events.filter((event) => (event.data.object as { id: string }).id === id);
            // The redaction job may finish while the run is checked: its `redacted` event changes no status.
            const ofSession = all.filter((event) => event.type !== 'identity.verification_session.redacted');
            const statuses = ofSession.map((event) => (event.data.object as Stripe.Identity.VerificationSession).status);
            const stored = (await getSession(scope, id))!;

            // The events trace a legal path from creation to where the session is now.
            expect(ofSession[0]!.type).toBe('identity.verification_session.created');
            for (let i = 1; i < statuses.length; i++)
              expect(LEGAL, `${statuses[i - 1]} → ${statuses[i]}`).toContain(`${statuses[i - 1]}>${statuses[i]}`);
            expect(statuses.at(-1)).toBe(stored.session.status);
            // Each event is named after the status it reached.
            for (const event of ofSession.slice(1))
              expect(event.type).toBe(`identity.verification_session.${(event.data.object as { status: string }).status}`);
            // The version counts the create, every change that succeeded (none lost, none doubled),
            // and the redaction job's final write if it has finished, with its one event.
            const finished = stored.session.redaction?.status === 'redacted' ? 1 : 0;
            expect(stored.version).toBe(1 + succeeded.length + finished);
            expect(all.length - ofSession.length).toBe(finished);
            // One event per transition: each verify and require_input concluded once, each with a report.
            expect(statuses.filter((s) => s === 'verified')).toHaveLength(count('verify'));
            expect(statuses.slice(1).filter((s) => s === 'requires_input')).toHaveLength(count('require_input'));
            // Every processing either was concluded once or is where the session still is; each process made one.
            const processing = statuses.filter((s) => s === 'processing').length;
            expect(processing).toBe(count('verify') + count('require_input') + (stored.session.status === 'processing' ? 1 : 0));
            expect(count('process')).toBeLessThanOrEqual(processing);
            expect(statuses.filter((s) => s === 'canceled').length).toBeLessThanOrEqual(1);
            const reports = await stripe.identity.verificationReports.list({ verification_session: id, limit: 100 });
            expect(reports.data).toHaveLength(count('verify') + count('require_input'));
          }
        },
      ),
      { numRuns: RUNS },
    );
  }, 300_000);
});
