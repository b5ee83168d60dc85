/**
 * The curl examples of Stripe's Identity docs and API reference, run as they are written there with
 * only the host changed: Basic auth with the key as user name, form bodies with bracketed nesting
 * (`options[document][allowed_types][]`, `metadata[k]`), `expand[]` on a GET with `-G`.
 * Sources: https://docs.stripe.com/api/identity/verification_sessions/create (and /retrieve, /list,
 * /update, /cancel, /redact), https://docs.stripe.com/identity/verify-identity-documents (create with
 * `metadata[user_id]`), https://docs.stripe.com/identity/access-verification-results (`expand[]`).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { newStripeAccount, startService } from '../support/local-service';

let service: LocalRuntime;
let secretKey: string;
beforeAll(async () => {
  service = await startService();
  ({ secretKey } = await newStripeAccount(service));
});
afterAll(() => service.stop());

/**
 * Runs curl with Stripe's example arguments, on the local service instead of api.stripe.com
 * (asynchronously: the service answers from this very process).
 */
async function curl(path: string, ...args: string[]): Promise<{ status: number; body: Record<string, unknown> }> {
  const { stdout } = await promisify(execFile)(
    'curl',
    ['-sS', '-w', '\n%{http_code}', `${service.url}${path}`, '-u', `${secretKey}:`, ...args],
    { encoding: 'utf8', timeout: 60_000 },
  );
  const lines = stdout.trimEnd().split('\n');
  const status = Number(lines.pop());
  return { status, body: JSON.parse(lines.join('\n')) as Record<string, unknown> };
}

describe("Stripe's curl examples, host changed", () => {
  it('create, retrieve with expand[], list, update, cancel and redact', async () => {
    const created = await curl(
      '/v1/identity/verification_sessions',
      '-d',
      'type=document',
      '-d',
      'metadata[user_id]=u_123',
      '-d',
      'options[document][allowed_types][]=driving_license',
      '-d',
      'options[document][allowed_types][]=passport',
      '-d',
      'options[document][require_id_number]=true',
      '-d',
      'options[document][require_live_capture]=true',
      '-d',
      'options[document][require_matching_selfie]=true',
      '-d',
      'provided_details[email]=jenny@example.com',
      '-d',
      'client_reference_id=user_123',
    );
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      object: 'identity.verification_session',
      type: 'document',
      status: 'requires_input',
      metadata: { user_id: 'u_123' },
      client_reference_id: 'user_123',
      options: {
        document: {
          allowed_types: ['driving_license', 'passport'],
          require_id_number: true,
          require_live_capture: true,
          require_matching_selfie: true,
        },
      },
    });
    const id = created.body.id as string;

    const retrieved = await curl(
      `/v1/identity/verification_sessions/${id}`,
      '-G',
      '-d',
      'expand[]=provided_details',
      '-d',
      'expand[]=verified_outputs',
    );
    expect(retrieved.status).toBe(200);
    expect(retrieved.body).toMatchObject({ id, provided_details: { email: 'jenny@example.com', phone: null }, verified_outputs: null });

    const listed = await curl('/v1/identity/verification_sessions', '-G', '-d', 'limit=3', '-d', 'client_reference_id=user_123');
    expect(listed.body).toMatchObject({ object: 'list', url: '/v1/identity/verification_sessions' });
    expect((listed.body.data as { id: string }[]).map((session) => session.id)).toEqual([id]);

    const updated = await curl(
      `/v1/identity/verification_sessions/${id}`,
      '-d',
      'type=id_number',
      '-d',
      'metadata[user_id]=',
      '-d',
      'metadata[order_id]=6735',
    );
    expect(updated.body).toMatchObject({ type: 'id_number', metadata: { order_id: '6735' } });

    const canceled = await curl(`/v1/identity/verification_sessions/${id}/cancel`, '-X', 'POST');
    expect(canceled.body).toMatchObject({ id, status: 'canceled' });
    const redacted = await curl(`/v1/identity/verification_sessions/${id}/redact`, '-X', 'POST');
    expect(redacted.body).toMatchObject({ id, redaction: { status: 'processing' } });
  });

  it('reports and events as the reference lists them', async () => {
    const reports = await curl('/v1/identity/verification_reports', '-G', '-d', 'limit=3');
    expect(reports.body).toMatchObject({ object: 'list', url: '/v1/identity/verification_reports' });
    const events = await curl('/v1/events', '-G', '-d', 'type=identity.verification_session.*', '-d', 'limit=3');
    expect(events.status).toBe(200);
    expect(events.body).toMatchObject({ object: 'list' });
  });
});
