/**
 * The whole service on one machine: DynamoDB Local, the table, a secret key, and the HTTP API
 * serving the route table's handler modules. `npm start` and the end-to-end tests both use it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSecretKey, hashSecretKey, newAccountId, secretKeyMode } from '../functions/domain/api-keys';
import { saveApiKey } from '../functions/store/api-keys';
import { startLocalApi } from './api-gateway';
import { ensureTable, localClient, startDynamoDbLocal, type LocalDynamo } from './dynamodb';
import { startEventReceiver, type EventReceiver } from './event-receiver';
import { startStreamPoller, type StreamConsumer } from './stream-poller';
import { startTtlSweeper } from './ttl-sweeper';
import { handler as publishEvents } from '../functions/streams/publish-events';
import { handler as runVerificationChecks } from '../functions/streams/run-verification-checks';
import { handler as redactSessions } from '../functions/streams/redact-sessions';
import { handler as redactOverdueSessions } from '../functions/schedules/redact-overdue-sessions';

export interface LocalRuntimeOptions {
  port?: number;
  host?: string;
  /** Where data persists; undefined keeps everything in memory. */
  dataDir?: string;
  /** A `sk_test_…`/`sk_live_…` key to register and use instead of a new one. */
  secretKey?: string;
  /** Use an already running DynamoDB (Local) instead of starting one. */
  dynamoEndpoint?: string;
  tableName?: string;
  /** Publish lifecycle events from the table's stream (default true). Submissions are always checked. */
  publishEvents?: boolean;
  /** Where the stream is first read when there is no checkpoint (default: its start). */
  streamStartAt?: 'TRIM_HORIZON' | 'LATEST';
  /** URLs each event is POSTed to. */
  eventTargets?: string[];
}

export interface LocalRuntime {
  url: string;
  secretKey: string;
  account: string;
  dynamoEndpoint: string;
  /** The local stand-in for the event bus: what was published, in order. */
  events: EventReceiver;
  stop(): Promise<void>;
}

/** How often the redaction backstop runs locally (in AWS: every six hours). */
const BACKSTOP_EVERY_MS = 10 * 60 * 1000;

/** The bus name the publisher puts events on; the local receiver takes any. */
const LOCAL_EVENT_BUS = 'verity-local';

/** Points the handler modules at local services through the same variables they read in AWS. */
export function configureLocalEnvironment(settings: {
  dynamoEndpoint: string;
  tableName: string;
  signingSecret?: string;
  publicUrl?: string;
  eventBridgeEndpoint?: string;
}) {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: settings.dynamoEndpoint,
    ...(settings.eventBridgeEndpoint ? { AWS_ENDPOINT_URL_EVENTBRIDGE: settings.eventBridgeEndpoint, VERITY_EVENT_BUS_NAME: LOCAL_EVENT_BUS } : {}),
    AWS_REGION: process.env.AWS_REGION ?? 'local',
    // DynamoDB Local accepts any credentials made of letters and digits; these never reach AWS.
    AWS_ACCESS_KEY_ID: 'verity',
    AWS_SECRET_ACCESS_KEY: 'verity',
    VERITY_TABLE_NAME: settings.tableName,
    ...(settings.signingSecret ? { VERITY_SIGNING_SECRET: settings.signingSecret } : {}),
    ...(settings.publicUrl ? { VERITY_PUBLIC_URL: settings.publicUrl } : {}),
  });
}

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  if (options.secretKey !== undefined && !secretKeyMode(options.secretKey)) {
    throw new Error('VERITY_SECRET_KEY must look like sk_test_… or sk_live_… (letters and digits after the prefix).');
  }
  const tableName = options.tableName ?? 'verity';
  const dynamo: LocalDynamo = options.dynamoEndpoint
    ? { endpoint: options.dynamoEndpoint, stop: async () => undefined }
    : await startDynamoDbLocal({ dataDir: options.dataDir && join(options.dataDir, 'dynamodb') });
  try {
    const client = localClient(dynamo.endpoint);
    await ensureTable(client, tableName);
    client.destroy();

    const events = await startEventReceiver({
      file: options.dataDir && join(options.dataDir, 'events.ndjson'),
      targets: options.eventTargets,
    });
    const api = await startLocalApi({ port: options.port, host: options.host });
    configureLocalEnvironment({
      dynamoEndpoint: dynamo.endpoint,
      eventBridgeEndpoint: events.endpoint,
      tableName,
      signingSecret: process.env.VERITY_SIGNING_SECRET ?? persisted(options.dataDir, 'signing-secret', () => randomBytes(32).toString('base64url')),
      publicUrl: process.env.VERITY_PUBLIC_URL ?? api.url,
    });

    const secretKey = options.secretKey ?? generateSecretKey('test');
    // A new key each start, for the same local account, so nothing secret is written to disk.
    const account = persisted(options.dataDir, 'account', newAccountId);
    const scope = await saveApiKey(hashSecretKey(secretKey), { account, mode: secretKeyMode(secretKey)! }, new Date());
    const endpointFile = options.dataDir && join(options.dataDir, 'dynamodb-endpoint');
    if (endpointFile) writeFileSync(endpointFile, dynamo.endpoint);

    // The same stream consumers that run in Lambda, each fed by the table's stream as its own
    // event source mapping would feed it, with its own checkpoints.
    const ttl = startTtlSweeper();
    const consume = (consumer: StreamConsumer, checkpoints: string) =>
      startStreamPoller({
        endpoint: dynamo.endpoint,
        tableName,
        consumer,
        checkpointFile: options.dataDir && join(options.dataDir, checkpoints),
        startAt: options.streamStartAt,
      });
    const pollers = [
      ...(options.publishEvents === false ? [] : [await consume(publishEvents, 'stream-checkpoints.json')]),
      await consume(runVerificationChecks, 'checks-stream-checkpoints.json'),
      await consume(redactSessions, 'redaction-stream-checkpoints.json'),
    ];
    // The schedule that, in AWS, runs the backstop for redactions DynamoDB's TTL is late with.
    const backstop = () => redactOverdueSessions().catch((error: Error) => console.error(JSON.stringify({ level: 'error', message: 'redaction backstop failed', name: error.name })));
    const backstopTimer = setInterval(backstop, BACKSTOP_EVERY_MS);
    backstopTimer.unref();
    void backstop();

    return {
      url: api.url,
      secretKey,
      account: scope.account,
      dynamoEndpoint: dynamo.endpoint,
      events,
      stop: async () => {
        if (endpointFile) rmSync(endpointFile, { force: true });
        await api.close();
        clearInterval(backstopTimer);
        ttl.stop();
        await Promise.all(pollers.map((poller) => poller.stop()));
        await events.close();
        await dynamo.stop();
      },
    };
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
}

/** A value kept under the data directory across starts (or made afresh when in memory). */
function persisted(dataDir: string | undefined, name: string, make: () => string): string {
  if (!dataDir) return make();
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const value = make();
  writeFileSync(file, value, { mode: 0o600 });
  return value;
}
