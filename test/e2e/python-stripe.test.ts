/**
 * Stripe's Python library, unmodified, against the local service: Debian's python3-stripe (5.0.0
 * in bookworm; `.ci/run` installs it) under Debian's own /usr/bin/python3, isolated (`-I`) from any
 * other Python on PATH and its packages. test/support/python-stripe.py makes the calls a Python
 * user would (5.0.0 sends booleans as `True`/`False`) and prints what came back as JSON; webhook
 * deliveries are then checked with the library's `stripe.Webhook.construct_event`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { newStripeAccount, startService } from '../support/local-service';
import { spawnGroup } from '../support/processes';
import { eventually } from '../support/verification';
import { startWebhookReceiver } from '../support/webhook-receiver';

const PYTHON = '/usr/bin/python3';
const DEBIAN_PACKAGE = '/usr/lib/python3/dist-packages/stripe/__init__.py';
const SCRIPT = fileURLToPath(new URL('../support/python-stripe.py', import.meta.url));

let service: LocalRuntime;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  // Fail with the reason, not with a Python traceback, where the package is missing.
  if (!existsSync(DEBIAN_PACKAGE))
    throw new Error(`Debian's python3-stripe is not installed (${DEBIAN_PACKAGE}): apt-get install python3-stripe (.ci/run does).`);
  service = await startService({ publishEvents: true });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await service?.stop();
  await receiver?.close();
});

/**
 * Runs the script with Debian's Python: `-I` ignores PYTHONPATH, PYTHONHOME and the user's site
 * packages, and the environment is reduced to PATH so no proxy setting reaches `requests`.
 */
function python(args: string[], stdin = ''): Promise<Record<string, any>> {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const child = spawnGroup(PYTHON, ['-I', SCRIPT, ...args], { env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`python3 ${args[0]} exited with ${code}:\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
    child.stdin.end(stdin);
  });
}

describe("Debian's python3-stripe, unmodified", () => {
  it('drives a session through its whole lifecycle, and verifies the webhooks it was sent', async () => {
    const { secretKey } = await newStripeAccount(service);
    const out = await python(['lifecycle', service.url, secretKey, receiver.url('/python')]);

    // Debian's package, not one from pip or pyenv.
    expect(out.library).toEqual({ version: '5.0.0', file: DEBIAN_PACKAGE });

    const [id, second] = [out.created.id as string, out.second as string];
    expect(out.created).toEqual({
      id,
      status: 'requires_input',
      metadata: { order_id: '1234', note: 'first try' },
      options: { document: { allowed_types: ['passport', 'driving_license'], require_live_capture: false, require_matching_selfie: true } },
      provided_details: { email: 'jenny@example.com', phone: null },
    });
    expect(out.retrieved).toEqual({ id, email: 'jenny@example.com' });
    expect(out.listed).toEqual([second, id]);
    expect(out.updated).toEqual({
      metadata: { order_id: '1234', tier: 'gold' },
      options: { document: { require_live_capture: true, require_matching_selfie: false } },
    });
    expect(out.statuses).toEqual(['processing', 'requires_input', 'processing', 'verified']);
    expect(out.last_error).toBe('document_expired');
    expect(out.verified_first_name).toBe('Jenny');
    expect(out.reports).toHaveLength(2);
    expect(out.report).toMatchObject({ id: out.reports[0], type: 'document', document_status: 'verified' });
    expect(out.canceled).toBe('canceled');
    expect(out.redacted).toEqual(['processing', 'processing']);
    // Newest first, two to a page, of the types asked for (`types[0]=…`).
    expect(out.events).toEqual([
      ['identity.verification_session.canceled', second],
      ['identity.verification_session.verified', id],
      ['identity.verification_session.processing', id],
      ['identity.verification_session.requires_input', id],
      ['identity.verification_session.processing', id],
      ['identity.verification_session.created', second],
      ['identity.verification_session.created', id],
    ]);
    expect(out.endpoint).toEqual({
      id: out.endpoint.id,
      status: 'enabled',
      enabled_events: ['identity.verification_session.verified', 'identity.verification_session.canceled'],
      metadata: { checked: 'yes' },
      listed: [out.endpoint.id],
    });

    // The endpoint asked for two event types: one of each is delivered, signed.
    const received = await eventually(
      async () => receiver.received.filter((request) => request.path === '/python'),
      (found) => expect(found).toHaveLength(2),
    );
    const deliveries = received.map((request) => ({ body: request.body, signature: request.headers['stripe-signature'] }));
    const verified = await python(['verify'], JSON.stringify({ secret: out.webhook_secret, deliveries }));
    expect(verified.events.sort()).toEqual([
      ['identity.verification_session.canceled', second],
      ['identity.verification_session.verified', id],
    ]);
    expect(verified.tampered_refused).toBe(true);
  });
});
