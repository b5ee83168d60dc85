/**
 * The whole service on one machine: DynamoDB Local, the table, a secret key, and the HTTP API
 * serving the route table's handler modules. `npm start` and the end-to-end tests both use it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LOCAL_UPLOAD_PATH, sweepUnsubmittedUploads } from '../functions/files/local-folder';
import { FILES_DIR_ENV } from '../functions/store/files';
import { MASTER_KEY_FILE_ENV } from '../functions/store/key-encryption-key';
import { generatePublishableKey, generateSecretKey, hashSecretKey, newAccountId, secretKeyMode } from '../functions/domain/api-keys';
import { LOOPBACK_EMBEDDING_ALLOWED } from '../functions/hosted-page/embedding';
import { RevokedKeyError, saveApiKey, savePublishableKey } from '../functions/store/api-keys';
import { startLocalApi } from './api-gateway';
import { endpointFileOf, ensurePrivateDir, lockDataDir, makePrivate, OperatorError, writePrivateFile, type DataDirLock } from './data-dir';
import { serveLocalUpload } from './upload-route';
import { ensureTable, localClient, startDynamoDbLocal, type DynamoConnection, type LocalDynamo } from './dynamodb';
import { startEventReceiver, type EventReceiver } from './event-receiver';
import { startStreamPoller, type StreamConsumer } from './stream-poller';
import { startTtlSweeper } from './ttl-sweeper';
import { optInLiveChecks, type LocalLiveChecks } from './live-checks';
import { useChecksQueue, type ChecksJob } from '../functions/checks/queue';
import { startLocalChecksQueue } from './checks-queue';
import { CONCURRENCY, deliverHandedOff, SLOTS_PER_ACCOUNT } from '../functions/webhooks/delivery-worker';
import { useDeliveryHandOff, type DeliveryJob } from '../functions/webhooks/hand-off';
import { workers, type Worker } from '../functions/workers';
import * as publishEvents from '../functions/streams/publish-events';
import * as runVerificationChecks from '../functions/streams/run-verification-checks';
import * as checksRunner from '../functions/checks/checks-runner';
import * as redactSessions from '../functions/streams/redact-sessions';
import * as redactOverdueSessions from '../functions/schedules/redact-overdue-sessions';
import * as watchReviewQueue from '../functions/schedules/watch-review-queue';
import * as deliveryWorker from '../functions/webhooks/delivery-worker';
import * as countFunnel from '../functions/streams/count-funnel';
import * as checkExistingVerifications from '../functions/streams/check-existing-verifications';

/**
 * The workers table's modules (functions/workers.ts), imported here rather than loaded by name:
 * the tests that drive a worker themselves (its clock, a resolver) share these very modules with
 * the runtime. A table entry without its module here stops the start.
 */
const WORKER_MODULES: Record<string, Record<string, unknown>> = {
  'streams/publish-events': publishEvents,
  'streams/run-verification-checks': runVerificationChecks,
  'checks/checks-runner': checksRunner,
  'streams/redact-sessions': redactSessions,
  'schedules/redact-overdue-sessions': redactOverdueSessions,
  'webhooks/delivery-worker': deliveryWorker,
  'schedules/watch-review-queue': watchReviewQueue,
  'streams/count-funnel': countFunnel,
  'streams/check-existing-verifications': checkExistingVerifications,
};
import { PRIVATE_ADDRESSES_ALLOWED } from '../functions/webhooks/endpoint-url';
import { TABLE_NAME_ENV } from '../functions/store/schema';

export interface LocalRuntimeOptions {
  port?: number;
  host?: string;
  /**
   * Where data persists (owner-only: 0700 folders, 0600 files, fixed at start); undefined keeps
   * everything in memory. One process at a time: a folder another live process holds is refused.
   */
  dataDir?: string;
  /** A `sk_test_…`/`sk_live_…` key (at least 24 characters after the prefix) to register and use instead of a new one. */
  secretKey?: string;
  /** Use an already running DynamoDB Local instead of starting one. */
  dynamo?: DynamoConnection;
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
  /** Where the verification page's links point (VERITY_PUBLIC_URL, or the API's own URL). */
  publicUrl: string;
  secretKey: string;
  /** The account's publishable key in the secret key's mode, for the `/v3/` script (public: kept in the data folder). */
  publishableKey: string;
  account: string;
  dynamo: DynamoConnection;
  /** The DynamoDB Local process this runtime started, if it started one. */
  dynamoPid?: number;
  /** The data folder, absolute; undefined when everything is in memory. */
  dataDir?: string;
  /** The file each event is appended to, if any. */
  eventsFile?: string;
  /** The URLs each event is POSTed to. */
  eventTargets: string[];
  /** The local stand-in for the event bus: what was published, in order. */
  events: EventReceiver;
  /** Whether live sessions are checked (the operator's VERITY_LIVE_CHECKS=aws opt-in), in one line. */
  liveChecks: LocalLiveChecks;
  stop(): Promise<void>;
}

/** How often unsubmitted uploads are looked for locally (the bucket's lifecycle rule runs about daily). */
const SWEEP_UPLOADS_EVERY_MS = 60 * 60 * 1000;

/** The bus name the publisher puts events on; the local receiver takes any. */
const LOCAL_EVENT_BUS = 'verity-local';

/** Points the handler modules at local services through the same variables they read in AWS. */
export function configureLocalEnvironment(settings: {
  dynamo: DynamoConnection;
  tableName: string;
  signingSecret?: string;
  publicUrl?: string;
  eventBridgeEndpoint?: string;
  /** The folder the local file store keeps uploads in (owner-only). */
  filesDir?: string;
  /** The local key-encryption key's file (owner-only; made on first use): it wraps every session's key. */
  masterKeyFile?: string;
}) {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: settings.dynamo.endpoint,
    ...(settings.eventBridgeEndpoint
      ? { AWS_ENDPOINT_URL_EVENTBRIDGE: settings.eventBridgeEndpoint, VERITY_EVENT_BUS_NAME: LOCAL_EVENT_BUS }
      : {}),
    AWS_REGION: process.env.AWS_REGION ?? 'local',
    // The access key id the local DynamoDB answers to (a random one per start); these never reach AWS.
    AWS_ACCESS_KEY_ID: settings.dynamo.accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'verity',
    [TABLE_NAME_ENV]: settings.tableName,
    ...(settings.signingSecret ? { VERITY_SIGNING_SECRET: settings.signingSecret } : {}),
    ...(settings.publicUrl ? { VERITY_PUBLIC_URL: settings.publicUrl } : {}),
    ...(settings.filesDir ? { [FILES_DIR_ENV]: settings.filesDir } : {}),
    ...(settings.masterKeyFile ? { [MASTER_KEY_FILE_ENV]: settings.masterKeyFile } : {}),
    // On the developer's own machine, test-mode webhooks may go to localhost (never in AWS).
    [PRIVATE_ADDRESSES_ALLOWED]: '1',
    // And a business page served on this machine (http://localhost:…) may open test mode's modal.
    [LOOPBACK_EMBEDDING_ALLOWED]: '1',
  });
}

/** The fewest random base62 characters an operator's own VERITY_SECRET_KEY may have after its prefix (about 143 bits). */
const MIN_OWN_KEY_CHARACTERS = 24;

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  // Keys are kept as a SHA-256 only: a short one could be found from that by trying guesses, so
  // a key of the operator's own must be as hard to guess as the 48 characters Verity makes.
  if (
    options.secretKey !== undefined &&
    (!secretKeyMode(options.secretKey) || options.secretKey.length < 'sk_test_'.length + MIN_OWN_KEY_CHARACTERS)
  ) {
    throw new OperatorError(
      `VERITY_SECRET_KEY must look like sk_test_… or sk_live_… with at least ${MIN_OWN_KEY_CHARACTERS} random letters and digits after ` +
        `the prefix (npm run keys makes one).`,
    );
  }
  const tableName = options.tableName ?? 'verity';
  const dataDir = options.dataDir && resolve(options.dataDir);
  // Before anything starts (a wrong setting stops it), and before the AWS variables point at
  // DynamoDB Local: the opt-in takes the operator's region and credentials.
  const liveChecks = await optInLiveChecks();
  // Before anything starts: a second service on the same files would publish every event twice.
  const lock: DataDirLock | undefined = dataDir ? lockDataDir(dataDir) : undefined;
  let dynamo: LocalDynamo | undefined;
  let filesToRemove: string | undefined;
  let keysToRemove: string | undefined;
  try {
    if (dataDir) makePrivate(dataDir);
    dynamo = options.dynamo
      ? { ...options.dynamo, stop: async () => undefined }
      : await startDynamoDbLocal({ dataDir: dataDir && join(dataDir, 'dynamodb') });
    const client = localClient(dynamo);
    await ensureTable(client, tableName);
    client.destroy();

    const eventsFile = dataDir && join(dataDir, 'events.ndjson');
    const eventTargets = options.eventTargets ?? [];
    const events = await startEventReceiver({ file: eventsFile, targets: eventTargets });
    // Uploads: under the data folder; in memory, a folder of the run's own (removed at stop),
    // unless the environment already names one (the tests' run shares one).
    const ownFiles = !dataDir && !process.env[FILES_DIR_ENV] ? mkdtempSync(join(tmpdir(), 'verity-files-')) : undefined;
    filesToRemove = ownFiles;
    const ownKeys = !dataDir && !process.env[MASTER_KEY_FILE_ENV] ? mkdtempSync(join(tmpdir(), 'verity-keys-')) : undefined;
    keysToRemove = ownKeys;
    const filesDir = dataDir ? join(dataDir, 'files') : (ownFiles ?? process.env[FILES_DIR_ENV]!);
    ensurePrivateDir(filesDir);
    const api = await startLocalApi({
      port: options.port,
      host: options.host,
      localRoutes: [
        { method: 'POST', path: LOCAL_UPLOAD_PATH, serve: (request, response) => serveLocalUpload(filesDir, request, response) },
      ],
    });
    const publicUrl = process.env.VERITY_PUBLIC_URL ?? api.url;
    configureLocalEnvironment({
      dynamo,
      eventBridgeEndpoint: events.endpoint,
      tableName,
      signingSecret: process.env.VERITY_SIGNING_SECRET ?? persisted(dataDir, 'signing-secret', () => randomBytes(32).toString('base64url')),
      publicUrl,
      filesDir,
      // In the data folder (owner-only); in memory, beside the run's own uploads, gone at stop.
      masterKeyFile: process.env[MASTER_KEY_FILE_ENV] ?? (dataDir ? join(dataDir, 'master.key') : join(ownKeys!, 'master.key')),
    });

    const secretKey = options.secretKey ?? generateSecretKey('test');
    // A new key each start, for the same local account, so nothing secret is written to disk.
    const account = persisted(dataDir, 'account', newAccountId);
    const scope = await saveApiKey(hashSecretKey(secretKey), { account, mode: secretKeyMode(secretKey)! }, new Date()).catch((error) => {
      if (!(error instanceof RevokedKeyError)) throw error;
      throw new OperatorError(
        'VERITY_SECRET_KEY was revoked: leave it unset for a new key each start, or make one with npm run keys -- create.',
      );
    });
    // The publishable key is public: the same one across restarts, so a business page keeps working;
    // once revoked (npm run keys -- revoke), a new one takes its place rather than the old one coming back.
    const publishableKeyFile = `publishable-key-${scope.mode}`;
    let publishableKey = persisted(dataDir, publishableKeyFile, () => generatePublishableKey(scope.mode));
    try {
      await savePublishableKey(publishableKey, hashSecretKey(publishableKey), scope, new Date());
    } catch (error) {
      if (!(error instanceof RevokedKeyError)) throw error;
      publishableKey = generatePublishableKey(scope.mode);
      await savePublishableKey(publishableKey, hashSecretKey(publishableKey), scope, new Date());
      if (dataDir) writePrivateFile(join(dataDir, publishableKeyFile), publishableKey);
    }
    const endpointFile = dataDir && endpointFileOf(dataDir);
    // The page's address too: the console links `npm run keys` prints must point at this service, whatever its port.
    if (endpointFile)
      writePrivateFile(
        endpointFile,
        JSON.stringify({ endpoint: dynamo.endpoint, accessKeyId: dynamo.accessKeyId, publicUrl, apiUrl: api.url }),
      );

    // The same stream consumers that run in Lambda, each fed by the table's stream as its own
    // event source mapping would feed it, with its own checkpoints.
    const ttl = startTtlSweeper();
    // The uploads bucket's lifecycle rule, for the local folder: unsubmitted uploads go after a day.
    const sweepUploads = () =>
      sweepUnsubmittedUploads(filesDir, new Date()).catch((error: Error) =>
        console.error(JSON.stringify({ level: 'error', message: 'upload sweep failed', name: error.name })),
      );
    const uploadsTimer = setInterval(sweepUploads, SWEEP_UPLOADS_EVERY_MS);
    uploadsTimer.unref();
    void sweepUploads();
    const connection = dynamo;
    const consume = (consumer: StreamConsumer, checkpoints: string) =>
      startStreamPoller({
        dynamo: connection,
        tableName,
        consumer,
        checkpointFile: dataDir && join(dataDir, checkpoints),
        startAt: options.streamStartAt,
      });
    // The workers table's workers (functions/workers.ts), the same modules Lambda runs; the
    // publisher and webhook deliveries only when events are published.
    const running = workers.filter((worker) => options.publishEvents !== false || !worker.publishes);
    const entry = <T>(worker: Worker, name: string) => {
      const value = WORKER_MODULES[worker.handler]?.[name];
      if (typeof value !== 'function') throw new Error(`functions/${worker.handler} exports no function ${name} (functions/workers.ts)`);
      return value as T;
    };
    // The SQS checks queue's stand-in: the checks stream queues each submission, the worker takes it.
    const [queued, ...more] = running.filter((worker) => 'job' in worker.local);
    if (!queued || more.length) throw new Error('The local runtime runs exactly one queue worker, the checks worker');
    const checksQueue = startLocalChecksQueue(entry<(job: ChecksJob) => Promise<void>>(queued, (queued.local as { job: string }).job));
    useChecksQueue(checksQueue);
    // Each stream consumer, fed by the table's stream as its event source mapping would feed it, with its own checkpoints.
    const pollers: Awaited<ReturnType<typeof consume>>[] = [];
    for (const worker of running) {
      if ('checkpoints' in worker.local) pollers.push(await consume(entry<StreamConsumer>(worker, 'handler'), worker.local.checkpoints));
    }
    // What a schedule runs in AWS (the redaction backstop, webhook deliveries), on a timer; a run is
    // told to stop (and starts nothing more) at stop, when its module takes a signal.
    const stopping = new AbortController();
    const schedules = running.flatMap((worker) => {
      if (!('everyMs' in worker.local)) return [];
      const { everyMs, run, atStart } = worker.local;
      const work = run
        ? entry<(options: { signal: AbortSignal }) => Promise<unknown>>(worker, run)
        : entry<() => Promise<unknown>>(worker, 'handler');
      return [repeatEvery(everyMs, () => work({ signal: stopping.signal }), `${worker.name} run failed`, atStart)];
    });
    // The publisher hands each new delivery to the webhook worker through the SQS webhook queue's
    // stand-in (a fair pool with the worker's slots), so a first attempt never waits for the schedule.
    const handOff =
      options.publishEvents === false
        ? undefined
        : startLocalChecksQueue((job: DeliveryJob) => deliverHandedOff([job], { signal: stopping.signal }), {
            concurrency: CONCURRENCY,
            perAccount: SLOTS_PER_ACCOUNT,
            failureMessage: 'webhook delivery failed to run',
          });
    if (handOff) useDeliveryHandOff({ send: (jobs) => handOff.send(jobs.map((job) => ({ job, delaySeconds: 0 }))) });

    return {
      url: api.url,
      publicUrl,
      secretKey,
      publishableKey,
      account: scope.account,
      dynamo: { endpoint: dynamo.endpoint, accessKeyId: dynamo.accessKeyId },
      dynamoPid: dynamo.pid,
      dataDir,
      eventsFile,
      eventTargets,
      events,
      liveChecks,
      stop: async () => {
        if (endpointFile) rmSync(endpointFile, { force: true });
        await api.close();
        // A run may go on for minutes while endpoints hang: it starts nothing more, and ends with its last attempt.
        stopping.abort();
        await Promise.all(schedules.map((schedule) => schedule.stop()));
        if (handOff) useDeliveryHandOff(undefined);
        await handOff?.stop();
        ttl.stop();
        clearInterval(uploadsTimer);
        await Promise.all(pollers.map((poller) => poller.stop()));
        await checksQueue.stop();
        await events.close();
        await connection.stop();
        if (filesToRemove) {
          rmSync(filesToRemove, { recursive: true, force: true });
          if (process.env[FILES_DIR_ENV] === filesToRemove) delete process.env[FILES_DIR_ENV];
        }
        if (keysToRemove) {
          rmSync(keysToRemove, { recursive: true, force: true });
          if (process.env[MASTER_KEY_FILE_ENV]?.startsWith(keysToRemove)) delete process.env[MASTER_KEY_FILE_ENV];
        }
        lock?.release();
      },
    };
  } catch (error) {
    await dynamo?.stop();
    if (filesToRemove) rmSync(filesToRemove, { recursive: true, force: true });
    if (keysToRemove) rmSync(keysToRemove, { recursive: true, force: true });
    lock?.release();
    throw error;
  }
}

/** Runs `work` every `ms` (and at once, `atStart`), skipping a tick while a run is under way; `stop` waits for that run. */
function repeatEvery(ms: number, work: () => Promise<unknown>, failureMessage: string, atStart = false) {
  let running: Promise<unknown> | undefined;
  const tick = () => {
    running ??= work()
      .catch((error: Error) => console.error(JSON.stringify({ level: 'error', message: failureMessage, name: error.name })))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(tick, ms);
  timer.unref();
  if (atStart) tick();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

/** A value kept under the data directory across starts (or made afresh when in memory). */
export function persisted(dataDir: string | undefined, name: string, make: () => string): string {
  if (!dataDir) return make();
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = make();
  writePrivateFile(file, value);
  return value;
}
