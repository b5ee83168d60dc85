/**
 * A redaction request hides the person at once, through the `stripe` SDK: with the redaction job
 * an hour away, nothing the API, a webhook retry or the table in clear shows right after the
 * redact call holds a personal value, and the reference finds nothing any more.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { randomInt } from 'node:crypto';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../functions/store/client';
import { tableName } from '../../functions/store/schema';
import type { LocalRuntime } from '../../local/runtime';
import { newRestrictedKey } from '../support/accounts';
import { newStripeAccount, startService, stripeClient } from '../support/local-service';
import { clearJson } from '../support/redaction';
import { eventually, testHelpers } from '../support/verification';
import { startWebhookReceiver } from '../support/webhook-receiver';

let service: LocalRuntime;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let delay: string | undefined;
beforeAll(async () => {
  // The job that tidies falls due an hour after the request: everything here is the request's own doing.
  delay = process.env.VERITY_REDACTION_DELAY_SECONDS;
  process.env.VERITY_REDACTION_DELAY_SECONDS = '3600';
  // Events published from the stream: webhooks are made and delivered.
  service = await startService({ publishEvents: true });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver.close();
  await service.stop();
  process.env.VERITY_REDACTION_DELAY_SECONDS = delay;
});

async function itemsOf(account: string): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(new ScanCommand({ TableName: tableName(), ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []).filter((item) => JSON.stringify(item).includes(account)));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

describe('a redaction request', () => {
  it(
    'hides every personal value at once: retrieve, list by reference, reports, events, webhook retries and the table in ' + 'clear',
    async () => {
      const { stripe, scope } = await newStripeAccount(service);
      const sensitive = stripeClient(service, await newRestrictedKey(scope, { sensitive_results: true }));
      const unique = `n${Date.now()}${randomInt(1e6)}`;
      // Webhooks fail until the redaction: their events wait for a retry.
      receiver.answer(500);
      const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url(`/${scope.account}`), enabled_events: ['*'] });
      const params: Stripe.Identity.VerificationSessionCreateParams = {
        type: 'document',
        client_reference_id: `ref-${unique}`,
        metadata: { note: `meta-${unique}` },
        provided_details: { email: `${unique}@example.com` },
        related_person: { account: `acct_${unique}`, person: `person_${unique}` },
        // Businesses put their own user's id in it.
        return_url: `https://shop.example.com/done?user=${unique}`,
      };
      const session = await stripe.identity.verificationSessions.create(params, { idempotencyKey: `create-${unique}` });
      await testHelpers(stripe).verify(session.id);
      const verified = await stripe.identity.verificationSessions.retrieve(session.id, { expand: ['verified_outputs'] });
      expect(verified.verified_outputs).toMatchObject({ first_name: 'Jenny', last_name: 'Rosen' });
      const created = (await stripe.events.list({ type: 'identity.verification_session.created' })).data[0]!;
      expect(created.data.object).toMatchObject({ client_reference_id: `ref-${unique}` });
      await eventually(
        async () => receiver.received.filter((hook) => hook.path === `/${scope.account}`),
        (hooks) => expect(hooks.length).toBeGreaterThan(0),
      );
      const personal = [unique, 'Jenny', 'Rosen'];

      const redacting = await stripe.identity.verificationSessions.redact(session.id, { expand: ['verified_outputs', 'provided_details'] });
      expect(redacting).toMatchObject({
        redaction: { status: 'processing' },
        status: 'verified',
        client_reference_id: '[redacted]',
        metadata: {},
        provided_details: { email: '[redacted]' },
        related_person: { account: '[redacted]', person: '[redacted]' },
        verified_outputs: { first_name: '[redacted]', last_name: '[redacted]' },
      });

      // Everything the API shows, right after the request.
      receiver.answer(200);
      const retried = await stripe.rawRequest('POST', `/v1/verity/webhook_endpoints/${endpoint.id}/resend`, { event: created.id });
      expect(retried).toMatchObject({ event: created.id });
      const shown = clearJson([
        redacting,
        await sensitive.identity.verificationSessions.retrieve(session.id, {
          expand: ['verified_outputs', 'verified_outputs.dob', 'provided_details', 'last_verification_report'],
        }),
        (await stripe.identity.verificationSessions.list({ limit: 100 })).data,
        (await stripe.identity.verificationReports.list({ verification_session: session.id })).data,
        (await stripe.events.list({ limit: 100 })).data,
        await stripe.events.retrieve(created.id),
        // The webhook retry of an event queued before the request.
        receiver.received.filter((hook) => hook.path === `/${scope.account}`).at(-1)!.body,
      ]);
      for (const value of personal) expect(shown, `shown: ${value}`).not.toContain(value);
      expect(shown).toContain('[redacted]');
      // The resent event as it arrived (a scheduled retry of another event may arrive after it).
      const resent = receiver.received.map((hook) => JSON.parse(hook.body) as { id: string }).filter((hook) => hook.id === created.id);
      expect(resent.at(-1)).toMatchObject({
        id: created.id,
        data: { object: { client_reference_id: '[redacted]', metadata: {} } },
      });

      // The reference finds nothing any more: neither the session nor its report.
      expect((await stripe.identity.verificationSessions.list({ client_reference_id: `ref-${unique}` })).data).toEqual([]);
      expect((await stripe.identity.verificationReports.list({ client_reference_id: `ref-${unique}` })).data).toEqual([]);
      // An idempotent replay of the create shows the session as it is now.
      const replay = await stripe.identity.verificationSessions.create(params, { idempotencyKey: `create-${unique}` });
      expect(replay).toMatchObject({ id: session.id, client_reference_id: '[redacted]', redaction: { status: 'processing' } });
      expect(clearJson(replay)).not.toContain(unique);

      // The table keeps nothing in clear (the job has not run: its copies are sealed under a key that is gone).
      const stored = await itemsOf(scope.account);
      expect(stored.map((item) => item.sk)).toContain('redaction_job');
      const inClear = clearJson(stored);
      for (const value of personal) expect(inClear, `stored: ${value}`).not.toContain(value);
    },
  );
});
