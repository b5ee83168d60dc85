/**
 * Verity as a test double for another project's test suite (`import { startVerity } from 'verity/testing'`):
 * a whole, isolated Verity (its own DynamoDB Local in memory, its own account and test-mode key) on
 * a free port, started as a child process, with helpers that drive a session to an outcome through
 * Stripe's test-helper endpoints, so a test reads like the production code it tests:
 *
 *   const verity = await startVerity();
 *   const stripe = new Stripe(verity.secretKey, verity.stripeOptions);
 *   const session = await stripe.identity.verificationSessions.create({ type: 'document' });
 *   await verity.verify(session.id);             // or requireInput(id, 'document_expired'), redactNow(id)
 *   await verity.stop();
 *
 * Each instance is a process of its own (the runtime configures its handlers through the process's
 * environment), so several run at once: a test runner's parallel workers, or two in one test.
 * Needs Node and a Java 17 runtime (DynamoDB Local); not aws-cdk-lib.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
/** This repository runs the TypeScript through tsx; the package runs its compiled JavaScript. */
const COMPILED = !here.endsWith('.ts');
const CLI = join(dirname(here), '..', 'bin', COMPILED ? 'cli.js' : 'cli.ts');

export interface StartVerityOptions {
  /** A `sk_test_…` key to register and use (e.g. the one in your app's test configuration). @default a new key of a new account */
  readonly secretKey?: string;
  /** URLs each lifecycle event (`identity.verification_session.*`) is POSTed to, as EventBridge targets would receive it. @default none */
  readonly eventTargets?: string[];
  /** How long the start may take before it fails, in milliseconds (DynamoDB Local is a JVM). @default 60000 */
  readonly timeoutMs?: number;
}

/** A VerificationSession as the API returns it (Stripe's object; see https://docs.stripe.com/api/identity/verification_sessions/object). */
export type VerificationSessionJson = { id: string; object: 'identity.verification_session'; status: string; [field: string]: unknown };

/**
 * Failure codes `requireInput` accepts: Stripe's `last_error.code` values
 * (https://docs.stripe.com/api/identity/verification_sessions/object#identity_verification_session_object-last_error-code).
 */
export type FailureCode =
  | 'abandoned'
  | 'consent_declined'
  | 'country_not_supported'
  | 'device_not_supported'
  | 'document_expired'
  | 'document_type_not_supported'
  | 'document_unverified_other'
  | 'id_number_insufficient_document_data'
  | 'id_number_mismatch'
  | 'id_number_unverified_other'
  | 'selfie_document_missing_photo'
  | 'selfie_face_mismatch'
  | 'selfie_manipulated'
  | 'selfie_unverified_other'
  | 'under_supported_age'
  | (string & {});

export interface VerityTestInstance {
  /** The API's base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** A test-mode secret key (`sk_test_…`) of `account`. */
  readonly secretKey: string;
  /** The account the key belongs to (`acct_…`). */
  readonly account: string;
  /** Options for the official SDK: `new Stripe(secretKey, stripeOptions)` sends every request here. */
  readonly stripeOptions: { host: string; port: number; protocol: 'http' };
  /** The service's process id (it starts and stops its own DynamoDB Local). */
  readonly pid: number;
  /** `POST /v1/test_helpers/identity/verification_sessions/:id/process`: `requires_input` → `processing`. */
  process(sessionId: string): Promise<VerificationSessionJson>;
  /** `…/:id/verify`: the checks pass; the session becomes `verified` (through `processing`, with both events). */
  verify(sessionId: string): Promise<VerificationSessionJson>;
  /** `…/:id/require_input` with `last_error[code]`: the checks fail with `code` (default `document_unverified_other`). */
  requireInput(sessionId: string, code?: FailureCode): Promise<VerificationSessionJson>;
  /**
   * `POST /v1/identity/verification_sessions/:id/redact`, then waits (up to `timeoutMs`, default
   * 30 s) until the redaction has run: the session as it is then, `redaction.status: 'redacted'`.
   */
  redactNow(sessionId: string, timeoutMs?: number): Promise<VerificationSessionJson>;
  /** Stops the service and its DynamoDB Local; its data is gone. Safe to call twice. */
  stop(): Promise<void>;
}

/** Every instance this process started, stopped at the latest when the process exits. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts an isolated Verity in memory on a free port (a few seconds, most of it DynamoDB Local).
 * Rejects with the service's own message (Java missing, a start that timed out) if it cannot start.
 */
export async function startVerity(options: StartVerityOptions = {}): Promise<VerityTestInstance> {
  const env: NodeJS.ProcessEnv = { ...process.env, VERITY_STOP_WITH_PARENT: '1' };
  // Only what the caller passes reaches the service, not the test run's own settings for another Verity.
  for (const name of [
    'PORT',
    'HOST',
    'VERITY_DATA_DIR',
    'VERITY_IN_MEMORY',
    'VERITY_SECRET_KEY',
    'VERITY_EVENT_TARGETS',
    'VERITY_PUBLIC_URL',
  ])
    delete env[name];
  if (options.secretKey) env.VERITY_SECRET_KEY = options.secretKey;
  if (options.eventTargets?.length) env.VERITY_EVENT_TARGETS = options.eventTargets.join(',');
  const args = [...(COMPILED ? [] : ['--import', 'tsx']), CLI, 'start', '--in-memory', '--port', '0'];
  const child = spawn(process.execPath, args, {
    env,
    // tsx is this repository's; the package's JavaScript needs nothing from the working folder.
    cwd: COMPILED ? process.cwd() : join(dirname(here), '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.once('exit', () => running.delete(child));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };

  let said = '';
  let ready: { url: string; account: string; secretKey: string };
  try {
    ready = await new Promise((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`Verity did not start within ${options.timeoutMs ?? 60_000} ms: ${lastLines(said)}`)),
        options.timeoutMs ?? 60_000,
      );
      const onData = (chunk: Buffer) => {
        said = (said + chunk.toString()).slice(-8000);
        // What `verity start` prints once it serves (bin/local.ts printSummary).
        const url = /serving the Stripe Identity API at (http:\/\/\S+)/.exec(said)?.[1];
        const key = /Secret key \((?:test|live) mode, account (acct_\w+)\): (\S+)/.exec(said);
        if (url && key) {
          clearTimeout(timer);
          done({ url, account: key[1]!, secretKey: key[2]! });
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => (said = (said + chunk.toString()).slice(-8000)));
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        fail(new Error(`Verity exited (${signal ?? `code ${code}`}) before it served: ${lastLines(said)}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  // Nobody reads the service's log from here on: drain it so a full pipe never blocks the service.
  child.stdout!.resume();
  child.stderr!.resume();

  const { url, account, secretKey } = ready;
  const request = async (method: 'GET' | 'POST', path: string, params: Record<string, string> = {}): Promise<VerificationSessionJson> => {
    const body = new URLSearchParams(params).toString();
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${secretKey}`,
        ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(method === 'POST' ? { body } : {}),
    });
    const json = (await response.json()) as VerificationSessionJson & { error?: { message?: string; code?: string } };
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${json.error?.code ?? ''} ${json.error?.message ?? ''}`.trim());
    return json;
  };
  const session = (id: string) => `/v1/identity/verification_sessions/${encodeURIComponent(id)}`;
  const helper = (action: string, id: string, params?: Record<string, string>) =>
    request('POST', `/v1/test_helpers/identity/verification_sessions/${encodeURIComponent(id)}/${action}`, params);

  return {
    url,
    secretKey,
    account,
    stripeOptions: { host: new URL(url).hostname, port: Number(new URL(url).port), protocol: 'http' },
    pid: child.pid!,
    process: (id) => helper('process', id),
    verify: (id) => helper('verify', id),
    requireInput: (id, code) => helper('require_input', id, code ? { 'last_error[code]': code } : {}),
    async redactNow(id, timeoutMs = 30_000) {
      await request('POST', `${session(id)}/redact`);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const now = await request('GET', session(id));
        if ((now.redaction as { status?: string } | null)?.status === 'redacted') return now;
        if (Date.now() > deadline)
          throw new Error(`${id} was not redacted within ${timeoutMs} ms (redaction: ${JSON.stringify(now.redaction)})`);
        await new Promise((done) => setTimeout(done, 100));
      }
    },
    stop,
  };
}

const lastLines = (text: string) => text.trim().split('\n').slice(-5).join(' | ') || 'no output';
