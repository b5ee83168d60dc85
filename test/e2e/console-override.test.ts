/**
 * The console's status override, end to end: a reviewer overrules a failed check (requires_input →
 * verified) and a verdict (verified → requires_input with a code), each as a verdict changes the
 * session: the API shows the new status, outputs and report, the event names the console's request,
 * the webhook is delivered, and the audit log records who, when, what and why. Every refusal changes
 * nothing.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../functions/domain/scope';
import type { LocalRuntime } from '../../local/runtime';
import { consoleLinkToken, csrfOf, signInToConsole } from '../support/console';
import { pngImage } from '../support/images';
import { newStripeAccount, startService } from '../support/local-service';
import { eventually, expectStatus, submitOnPage } from '../support/verification';
import { startWebhookReceiver } from '../support/webhook-receiver';

let service: LocalRuntime;
let stripe: Stripe;
let scope: Scope;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  service = await startService({ publishEvents: true });
  ({ stripe, scope } = await newStripeAccount(service));
  receiver = await startWebhookReceiver();
  await stripe.webhookEndpoints.create({ url: receiver.url('/identity'), enabled_events: ['*'] });
});
afterAll(async () => {
  await receiver.close();
  await service.stop();
});

const get = (path: string, cookie: string) => fetch(`${service.url}${path}`, { redirect: 'manual', headers: { cookie } });
const post = (path: string, cookie: string, form: Record<string, string>) =>
  fetch(`${service.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(form).toString(),
  });
const signInAs = async (role: 'viewer' | 'reviewer' | 'admin', of: Scope = scope) =>
  signInToConsole(service.url, await consoleLinkToken(of, role, `${role}@example.com`));

/** A session that went through the checks with `testCase` (a selfie session, so the document check ran and read the person). */
async function concluded(testCase: string, status: string) {
  const created = await stripe.identity.verificationSessions.create({
    type: 'document',
    options: { document: { require_matching_selfie: true } },
  });
  const submitted = await submitOnPage(service.url, created.url!, {
    document_type: 'passport',
    document_front: pngImage(64, 48),
    selfie: pngImage(48, 48, '#336699'),
    test_case: testCase,
  });
  expect(submitted.status, await submitted.clone().text()).toBe(200);
  return eventually(() => stripe.identity.verificationSessions.retrieve(created.id), expectStatus(status));
}

interface AuditEntry {
  action: string;
  target: { id: string } | null;
  operator: { email: string; role: string };
  request: string;
  decision?: { from: string; to: string; code: string | null; reason: string };
}
const auditOf = async (id: string) => {
  const list = (await stripe.rawRequest('GET', '/v1/verity/console_audit_events?limit=100', null as never)) as unknown as {
    data: AuditEntry[];
  };
  return list.data.filter((entry) => entry.target?.id === id && entry.action === 'override');
};
const eventsOf = async (id: string, type: string) =>
  (await stripe.events.list({ type, limit: 100 })).data.filter((event) => (event.data.object as { id: string }).id === id);
const webhooksOf = (id: string, type: string) =>
  receiver.received.filter((request) => {
    const body = JSON.parse(request.body) as { type: string; data: { object: { id: string } } };
    return body.type === type && body.data.object.id === id;
  });

describe('the status override', () => {
  it('overrules a failed check to verified, then sends it back to requires_input, each with event, webhook and audit', async () => {
    const session = await concluded('selfie_face_mismatch', 'requires_input');
    expect(session.last_error?.code).toBe('selfie_face_mismatch');
    const reviewer = await signInAs('reviewer');
    const path = `/console/verification_sessions/${session.id}`;
    const page = await (await get(path, reviewer)).text();
    expect(page).toContain(`action="${path}/override"`);
    expect(page).toContain('Mark verified');

    const verified = await post(`${path}/override`, reviewer, {
      csrf_token: csrfOf(page)!,
      status: 'verified',
      reason: 'Same person: the selfie was taken in poor light.',
    });
    expect(verified.status, await verified.clone().text()).toBe(303);
    expect(verified.headers.get('location')).toBe(`${path}?done=override`);
    const requestId = verified.headers.get('request-id');
    const after = await stripe.identity.verificationSessions.retrieve(session.id, {
      expand: ['last_verification_report', 'verified_outputs'],
    });
    expect(after.status).toBe('verified');
    expect(after.last_error).toBeNull();
    // The outputs are what the report read, as a verdict would have set them.
    expect(after.verified_outputs?.first_name).toBeTruthy();
    const report = after.last_verification_report as Stripe.Identity.VerificationReport;
    expect(report.id).toBe(session.last_verification_report);
    expect([report.document?.status, report.selfie?.status, report.selfie?.error]).toEqual(['verified', 'verified', null]);
    const [event] = await eventsOf(session.id, 'identity.verification_session.verified');
    expect(event?.request).toEqual({ id: requestId, idempotency_key: null });
    await eventually(
      async () => webhooksOf(session.id, 'identity.verification_session.verified'),
      (delivered) => expect(delivered).toHaveLength(1),
    );
    const [entry] = await auditOf(session.id);
    expect(entry).toMatchObject({
      operator: { email: 'reviewer@example.com', role: 'reviewer' },
      request: requestId,
      decision: { from: 'requires_input', to: 'verified', code: null, reason: 'Same person: the selfie was taken in poor light.' },
    });
    const shown = await (await get(`${path}?done=override`, reviewer)).text();
    expect(shown).toContain('Decided by a person');
    expect(shown).toContain('Mark not verified');

    const back = await post(`${path}/override`, reviewer, {
      csrf_token: csrfOf(shown)!,
      status: 'requires_input',
      code: 'document_unverified_other',
      reason: 'The document looks altered on a second look.',
    });
    expect(back.status, await back.clone().text()).toBe(303);
    const undone = await stripe.identity.verificationSessions.retrieve(session.id, {
      expand: ['last_verification_report', 'verified_outputs'],
    });
    expect(undone.status).toBe('requires_input');
    expect(undone.last_error).toEqual({ code: 'document_unverified_other', reason: 'The document could not be verified.' });
    expect(undone.verified_outputs).toBeNull();
    expect((undone.last_verification_report as Stripe.Identity.VerificationReport).document?.error?.code).toBe('document_unverified_other');
    expect(await eventsOf(session.id, 'identity.verification_session.requires_input')).toHaveLength(2);
    await eventually(
      async () => webhooksOf(session.id, 'identity.verification_session.requires_input'),
      (delivered) => expect(delivered).toHaveLength(2),
    );
    expect((await auditOf(session.id)).map((audited) => audited.decision?.to)).toEqual(['requires_input', 'verified']);
  });

  it('refuses, changing nothing: viewer, no reason, foreign code, same status, canceled, redacted, unknown, foreign', async () => {
    const session = await concluded('verified', 'verified');
    const path = `/console/verification_sessions/${session.id}`;
    const reviewer = await signInAs('reviewer');
    const csrf = csrfOf(await (await get(path, reviewer)).text())!;
    const viewer = await signInAs('viewer');
    const viewerCsrf = csrfOf(await (await get(path, viewer)).text())!;
    const refusals: [string, Promise<Response>, number, RegExp][] = [
      [
        'viewer',
        post(`${path}/override`, viewer, { csrf_token: viewerCsrf, status: 'requires_input', code: 'selfie_manipulated', reason: 'x' }),
        403,
        /reviewer role/,
      ],
      [
        'no csrf',
        post(`${path}/override`, reviewer, { status: 'requires_input', code: 'selfie_manipulated', reason: 'x' }),
        403,
        /expired/,
      ],
      [
        'no reason',
        post(`${path}/override`, reviewer, { csrf_token: csrf, status: 'requires_input', code: 'selfie_manipulated', reason: '  ' }),
        400,
        /reason/,
      ],
      ['no code', post(`${path}/override`, reviewer, { csrf_token: csrf, status: 'requires_input', reason: 'Looks wrong.' }), 400, /code/],
      // The session ran no ID number check: that code is no decision on it.
      [
        'foreign code',
        post(`${path}/override`, reviewer, { csrf_token: csrf, status: 'requires_input', code: 'id_number_mismatch', reason: 'x' }),
        400,
        /selfie_manipulated/,
      ],
      [
        'same status',
        post(`${path}/override`, reviewer, { csrf_token: csrf, status: 'verified', reason: 'Fine.' }),
        400,
        /already has a status of verified/,
      ],
      ['bad status', post(`${path}/override`, reviewer, { csrf_token: csrf, status: 'canceled', reason: 'x' }), 400, /Choose the status/],
    ];
    for (const [name, answer, status, message] of refusals) {
      const response = await answer;
      expect(response.status, name).toBe(status);
      expect(await response.text(), name).toMatch(message);
    }
    // Never submitted: no check to overrule. Canceled and redacted: no override either.
    const waiting = await stripe.identity.verificationSessions.create({ type: 'document' });
    const canceled = await stripe.identity.verificationSessions.create({ type: 'document' });
    await stripe.identity.verificationSessions.cancel(canceled.id);
    const redacted = await concluded('document_unverified_other', 'requires_input');
    await stripe.identity.verificationSessions.redact(redacted.id);
    for (const [other, message] of [
      [waiting.id, /no verification report/],
      [canceled.id, /status of canceled/],
      [redacted.id, /redacted/],
    ] as const) {
      const response = await post(`/console/verification_sessions/${other}/override`, reviewer, {
        csrf_token: csrf,
        status: 'verified',
        reason: 'x',
      });
      expect(response.status, other).toBe(400);
      expect(await response.text(), other).toMatch(message);
    }
    const unknown = await post(`/console/verification_sessions/vs_${'0'.repeat(24)}/override`, reviewer, {
      csrf_token: csrf,
      status: 'requires_input',
      code: 'selfie_manipulated',
      reason: 'x',
    });
    expect(unknown.status).toBe(404);
    const elsewhere = await signInAs('admin', (await newStripeAccount(service)).scope);
    const foreignCsrf = csrfOf(await (await get('/console/verification_sessions', elsewhere)).text())!;
    const foreign = await post(`${path}/override`, elsewhere, {
      csrf_token: foreignCsrf,
      status: 'requires_input',
      code: 'selfie_manipulated',
      reason: 'x',
    });
    expect(foreign.status).toBe(404);

    const still = await stripe.identity.verificationSessions.retrieve(session.id);
    expect([still.status, still.last_error]).toEqual(['verified', null]);
    expect(await eventsOf(session.id, 'identity.verification_session.requires_input')).toHaveLength(0);
    expect(await auditOf(session.id)).toEqual([]);
    expect(await auditOf(redacted.id)).toEqual([]);
    expect((await stripe.identity.verificationSessions.retrieve(redacted.id)).status).toBe('canceled');
  });
});
