/**
 * `npm run listen`: registers a test endpoint on a running Verity, prints its secret, shows each delivery, and deletes the endpoint when
 * stopped.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { endpointFileOf } from '../../local/data-dir';
import type { LocalRuntime } from '../../local/runtime';
import { newStripeAccount, startService } from '../support/local-service';
import { spawnGroup } from '../support/processes';
import { eventually } from '../support/verification';
import { startWebhookReceiver } from '../support/webhook-receiver';

let service: LocalRuntime;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  service = await startService({ publishEvents: true });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await service.stop();
  await receiver.close();
});

function listen(args: string[], env: Record<string, string> = {}) {
  const child = spawnGroup(process.execPath, ['--import', 'tsx', 'bin/listen.ts', ...args], { env: { ...process.env, ...env } });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  return { child, output, exited: once(child, 'exit') as Promise<[number | null]> };
}

describe('npm run listen', () => {
  it('forwards every event, signed with the secret it prints, shows each delivery, and deletes its endpoint on Ctrl-C', async () => {
    const { stripe, secretKey } = await newStripeAccount(service);
    const run = listen(['--forward-to', receiver.url('/listen'), '--api-url', service.url, '--api-key', secretKey]);
    const ready = await eventually(
      async () => run.output.stdout,
      (text) => expect(text).toMatch(/Your webhook signing secret is whsec_/),
      30_000,
    );
    const secret = /(whsec_[A-Za-z0-9_-]+)/.exec(ready)![1]!;
    const [endpoint] = (await stripe.webhookEndpoints.list()).data;
    expect(endpoint).toMatchObject({
      url: receiver.url('/listen'),
      enabled_events: ['*', 'identity.verification_session.redacted'],
      livemode: false,
    });

    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const [request] = await eventually(
      async () => receiver.received.filter((r) => r.path === '/listen'),
      (found) => expect(found).toHaveLength(1),
    );
    const event = stripe.webhooks.constructEvent(request!.body, request!.headers['stripe-signature']!, secret);
    expect((event.data.object as Stripe.Identity.VerificationSession).id).toBe(session.id);
    await eventually(
      async () => run.output.stdout,
      (text) => {
        expect(text).toContain(`--> identity.verification_session.created [${event.id}]`);
        expect(text).toMatch(/<-- \[200\] POST http:\/\/127\.0\.0\.1:\d+\/listen \(\d+ ms\)/);
      },
    );

    run.child.kill('SIGINT');
    const [code] = await run.exited;
    expect(code).toBe(0);
    expect(run.output.stdout).toContain(`endpoint ${endpoint!.id} deleted`);
    expect((await stripe.webhookEndpoints.list()).data).toEqual([]);
  });

  it('finds the API of the npm start running on the data folder when no --api-url is given', async () => {
    const { stripe, secretKey } = await newStripeAccount(service);
    const dataDir = mkdtempSync(join(tmpdir(), 'verity-listen-'));
    try {
      // As npm start leaves its data folder (local/data-dir.ts endpointFileOf); its port is not 4242.
      writeFileSync(endpointFileOf(dataDir), JSON.stringify({ ...inject('dynamo'), publicUrl: service.url, apiUrl: service.url }), {
        mode: 0o600,
      });
      const run = listen(['--forward-to', receiver.url('/found'), '--api-key', secretKey], {
        VERITY_DATA_DIR: dataDir,
        VERITY_API_URL: '',
      });
      await eventually(
        async () => run.output.stdout,
        (text) => expect(text).toMatch(/Your webhook signing secret is whsec_/),
        30_000,
      );
      expect((await stripe.webhookEndpoints.list()).data.map((e) => e.url)).toEqual([receiver.url('/found')]);
      run.child.kill('SIGINT');
      expect((await run.exited)[0]).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('says what is wrong in one line: no --forward-to, no key, a live key, an unreachable API', async () => {
    const { secretKey: liveKey } = await newStripeAccount(service, 'live');
    const cases: [string[], number, RegExp][] = [
      [['--api-key', 'sk_test_x'], 2, /missing --forward-to/],
      [['--forward-to', 'http://127.0.0.1:1/x'], 2, /missing --api-key/],
      [['--forward-to', 'http://127.0.0.1:1/x', '--api-key', liveKey], 2, /test-mode secret key/],
      [
        ['--forward-to', 'http://127.0.0.1:1/x', '--api-key', 'sk_test_x', '--api-url', 'http://127.0.0.1:1'],
        1,
        /cannot reach Verity at http:\/\/127\.0\.0\.1:1/,
      ],
      [['--bogus'], 2, /Unknown option '--bogus'/],
    ];
    for (const [args, status, message] of cases) {
      const run = listen(args, { VERITY_SECRET_KEY: '' });
      const [code] = await run.exited;
      expect([code, run.output.stderr.trim().split('\n')], args.join(' ')).toEqual([status, [expect.stringMatching(message)]]);
    }
    const help = listen(['--help']);
    expect((await help.exited)[0]).toBe(0);
    expect(help.output.stdout).toContain('Usage: npm run listen -- --forward-to URL');
  });
});
