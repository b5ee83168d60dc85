import Stripe from 'stripe';
import { expect, inject } from 'vitest';
import { ensureTable, localClient } from '../../local/dynamodb';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../local/runtime';
import { newTestAccount } from './accounts';

/**
 * The local runtime (HTTP API + handlers) on the run's DynamoDB Local, on a free port. Event
 * publishing is off unless asked for: every test file shares the table and its stream.
 */
export async function startService(options: Pick<LocalRuntimeOptions, 'publishEvents' | 'tableName'> = {}): Promise<LocalRuntime> {
  return startLocalRuntime({
    port: 0,
    dynamo: inject('dynamo'),
    tableName: options.tableName ?? inject('tableName'),
    publishEvents: options.publishEvents ?? false,
    streamStartAt: 'LATEST',
  });
}

/**
 * A table of a test file's own, on the run's DynamoDB Local (created if need be), for
 * `startService({ tableName })`. Every file's runtime checks each submission on its table's
 * stream with the checks of its own process: a file whose checks differ (live checks with mocked
 * AWS clients) needs a table no other file's worker reads.
 */
export async function ownTable(name: string): Promise<string> {
  const client = localClient(inject('dynamo'));
  try {
    await ensureTable(client, name);
  } finally {
    client.destroy();
  }
  return name;
}

/** The official SDK, unmodified, pointed at the local service. */
export function stripeClient(service: LocalRuntime, secretKey: string, options: Stripe.StripeConfig = {}): Stripe {
  const { hostname, port } = new URL(service.url);
  return new Stripe(secretKey, { host: hostname, port: Number(port), protocol: 'http', maxNetworkRetries: 0, ...options });
}

/** A new account with its own key and SDK client. */
export async function newStripeAccount(service: LocalRuntime, mode: 'test' | 'live' = 'test', account?: string) {
  const { scope, secretKey } = await newTestAccount(mode, account);
  return { scope, secretKey, stripe: stripeClient(service, secretKey) };
}

/** An SDK result without the HTTP response the SDK attaches, to compare objects as the API sent them. */
export const withoutResponse = <T extends { lastResponse: unknown }>({ lastResponse: _, ...object }: T) => object;

/**
 * The error an SDK call fails with; fails the test if the call succeeds. Its `message` is the one
 * Verity answered with: stripe 23.2 puts `[req_…] ` before it in the Error's own message (the
 * request id, which the response's `Request-Id` header and `requestId` carry too).
 */
export const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('the request should have failed'),
    (error: unknown) => withAnsweredMessage(error as Stripe.errors.StripeError),
  );

/** `error` with its `message` as Verity answered it (see `failure`). */
export function withAnsweredMessage<E extends Stripe.errors.StripeError>(error: E): E {
  const answered = (error.raw as { message?: unknown } | undefined)?.message;
  if (typeof answered === 'string') (error as { message: string }).message = answered;
  return error;
}
