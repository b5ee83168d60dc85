/**
 * The Verity construct: the whole service (table, key, API, event bus, checks, redaction, webhooks,
 * alarms) as one `Construct` a CDK app places in a stack of its own, beside its own resources:
 *
 *   import { Verity } from 'verity';
 *   const identity = new Verity(this, 'Identity', { alarmEmail: 'ops@example.com' });
 *   new CfnOutput(this, 'IdentityApi', { value: identity.url });
 *
 * Every cdk-nag (AwsSolutions, Serverless) and cfn-guard finding on its resources is acknowledged
 * next to the resource, with its reason, so a nag run over the user's app passes for Verity's part.
 * `VerityStack` (lib/verity-stack.ts) is this construct in a stack of its own, for `npx cdk deploy`.
 */
import { Fn, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { Operation, type Table } from 'aws-cdk-lib/aws-dynamodb';
import { Subnet, Vpc } from 'aws-cdk-lib/aws-ec2';
import type { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { routes as routeTable, type Route } from '../functions/routes';
import { VerityAlarms } from './alarms';
import { validateCanaryProps, VerityCanary, type CanaryProps } from './canary';
import { VerityApi, type VerityApiProps } from './api';
import { VerityData } from './data';
import { VerityEvents, type SubscribeOptions } from './events';
import type { VerityFirewall, FirewallProps } from './firewall';
import { retentionEnvironment, VerityRedaction } from './redaction';
import { VerityReview } from './review';
import { VerityRooms } from './rooms';
import { faceCollectionPrefixOf } from './faces';
import { VerityUploads } from './uploads';
import { faceLivenessEnvironment, VerityFaceLiveness, type FaceLivenessProps } from './liveness';
import { configureIdNumberRoutes, LIVE_PAGES_ENVIRONMENT, VerityVerification, type LiveChecksProps } from './verification';
import { placeFunctionsIn, type FunctionNetwork, type VerityFunction } from './verity-function';
import { VerityWebhooks } from './webhooks';
import { VerityFunnel } from './funnel';
import { VerityBlocklistCheck } from './blocklist-check';

export type { SubscribeOptions } from './events';
export type { FirewallProps } from './firewall';
export type { CanaryProps } from './canary';
export type { FunctionNetwork } from './verity-function';

/**
 * The stage's default throttle: 1,000 requests a second, bursts of 2,000, shared by every account
 * and every keyless request (the verification page, uploads, the console). Each account has its own
 * limit inside it (functions/domain/rate-limit.ts: 100 a second live plus 25 test, Stripe's
 * defaults), so the stage must sit well above one account's 125 a second: 1,000 is 8 accounts at
 * their full allowance at once, and bursts of 2,000 (API Gateway's token bucket) absorb 16 such
 * seconds' worth of one account's burst. It stays below the region's API Gateway quota for
 * the account (10,000 a second, bursts of 5,000, shared by all its APIs).
 *
 * Once the stage allows 1,000 a second, Lambda's concurrency is the shared ceiling: concurrent
 * executions = requests a second x seconds each. At 1,000 a second and 100 ms each that is 100;
 * at 200 ms, 200. The API's functions reserve nothing and share the account's unreserved
 * concurrency: 1,000 by default, less the background reservations (`DEFAULT_WORKER_CONCURRENCY`,
 * 81), which Lambda allows only while at least 100 stay unreserved: 919 here. New AWS accounts
 * may start with a far lower account limit (as low as 10, `aws lambda get-account-settings`):
 * there, reservations must go (`workerConcurrency: false`) and the ceiling is that limit, so ask
 * for an increase before going live. One account alone (125 a second) uses at most 125 x its
 * seconds per request: at 1 s each, 125 of the 919. Keyless floods are for the optional
 * CloudFront and WAF edge (`firewall`): WAF cannot attach to an HTTP API directly.
 */
export const DEFAULT_THROTTLE = { rateLimit: 1000, burstLimit: 2000 } as const;

/**
 * Reserved concurrency of each background function: what it may always use, whatever the API's
 * traffic, and at most. Lambda keeps at least 100 of an account's concurrency unreserved, so the
 * account's limit must be at least 100 plus their sum (81 by default; new accounts may start at
 * less than 1000: `aws lambda get-account-settings`).
 */
export interface WorkerConcurrency {
  /** The outbox publisher: one invocation per stream shard. */
  readonly publisher?: number;
  /** The checks worker: jobs of the checks queue, one per invocation (the SQS fair queue shares them between accounts). */
  readonly checksWorker?: number;
  /** The redaction worker: up to 10 invocations per stream shard. */
  readonly redactionWorker?: number;
  /** The redaction backstop: one run at a time. */
  readonly redactionBackstop?: number;
}

export const DEFAULT_WORKER_CONCURRENCY: Required<WorkerConcurrency> = {
  publisher: 10,
  checksWorker: 50,
  redactionWorker: 20,
  redactionBackstop: 1,
};

/**
 * How to build Verity. Every prop is optional; the defaults keep data (retain, deletion protection)
 * and run outside any VPC, without a custom domain, firewall or alarm e-mail. Each matches a context
 * option of this repository's own app (bin/verity.ts), named after the prop.
 */
export interface VerityProps {
  /** What happens to the table and its KMS key when they leave the stack. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Whether DynamoDB refuses to delete the table (a table that should really go needs this false and DESTROY). @default true */
  readonly deletionProtection?: boolean;
  /**
   * API requests per second (steady state) and burst, for the whole stage, shared by every account and keyless request. @default
   * DEFAULT_THROTTLE ({ rateLimit: 1000, burstLimit: 2000 })
   */
  readonly throttle?: VerityApiProps['throttle'];
  /** Serve the API on your own domain, with an ACM certificate in the stack's region; not with `firewall`. @default the API Gateway URL */
  readonly customDomain?: VerityApiProps['customDomain'];
  /** An e-mail address subscribed to the alarm topic. @default no subscription (the topic is `alarms.topic`) */
  readonly alarmEmail?: string;
  /** Seconds between a redact call and the redaction job. @default 0 */
  readonly redactionDelaySeconds?: number;
  /** Redact verified and canceled sessions this many days after they got there. @default off */
  readonly retentionDays?: number;
  /** Days the operators' console keeps its audit log entries (1-3650; DynamoDB TTL deletes them after). @default 365 */
  readonly consoleAuditRetentionDays?: number;
  /** Minutes a verdict held for review may wait before the `ReviewsOverdue` alarm (1-43200). @default 1440 (a day) */
  readonly reviewAlarmAfterMinutes?: number;
  /**
   * Run every function in this VPC, or the VPC and subnets these ids name (private subnets that
   * reach the AWS APIs through NAT or VPC endpoints). @default outside any VPC
   */
  readonly vpc?: FunctionNetwork | { readonly vpcId: string; readonly subnetIds: string[] };
  /**
   * Reserved concurrency of the background functions, merged over DEFAULT_WORKER_CONCURRENCY; `false` reserves none. @default
   * DEFAULT_WORKER_CONCURRENCY
   */
  readonly workerConcurrency?: WorkerConcurrency | false;
  /**
   * Serve the API through CloudFront with an AWS WAF rate-based rule (`{ rateLimit }`, stack in us-east-1) or your web ACL (`{ webAclArn
   * }`); not with `customDomain`. @default off
   */
  readonly firewall?: FirewallProps;
  /** The routes to serve. @default every route of the route table (functions/routes.ts); tests pass fewer */
  readonly routes?: Route[];
  /**
   * Live checks' thresholds and the ID-number provider Lambda (`{ settings: { minimumAge: 21 }, idNumberProviderFunctionArn }`).
   * @default Verity's thresholds (functions/checks/live/settings.ts), and no ID-number provider: live sessions that ask for an ID number
   * are refused
   */
  readonly liveChecks?: LiveChecksProps;
  /**
   * Amazon Rekognition Face Liveness for live selfies (docs/liveness.md): `{ threshold, challenge }`, or `false` to turn it off
   * (live selfies are then photos matched to the document). The stack's region must offer Face Liveness.
   * @default on: threshold 80, FaceMovementAndLightChallenge
   */
  readonly faceLiveness?: FaceLivenessProps | false;
  /**
   * A daily canary: your own known samples (labels.csv, their images and the canary-baseline.json
   * `npx verity evaluate` wrote) under an S3 prefix, run through the live checks and compared with
   * the baseline; a result that moves raises the `CanaryResultsChanged` alarm (docs/reference/evaluation.md).
   * `{ bucketName: 'my-samples', prefix: 'verity-canary/' }`. @default no canary
   */
  readonly canary?: CanaryProps;
}

export class Verity extends Construct {
  /** The one DynamoDB table: sessions, keys, events, webhook endpoints, files (encrypted with `key`). */
  readonly table: Table;
  /** The customer-managed KMS key: the table, functions' environments and logs, the bus, queues and the signing secret. */
  readonly key: Key;
  /** The EventBridge bus carrying `identity.verification_session.*` events (see `subscribe()`). */
  readonly bus: EventBus;
  /** The HTTP API (`api.httpApi`), its stage and one function per route (`api.functions`). */
  readonly api: VerityApi;
  /** The base URL Stripe clients use (`host` of the Stripe SDK's options): the custom domain, the CloudFront URL, or API Gateway's. */
  readonly url: string;

  readonly data: VerityData;
  readonly events: VerityEvents;
  readonly verification: VerityVerification;
  readonly redaction: VerityRedaction;
  /** The review watch: the scheduled count of verdicts held for review too long, and its metric. */
  readonly review: VerityReview;
  readonly webhooks: VerityWebhooks;
  /** The funnel counter (functions/streams/count-funnel.ts). */
  readonly funnel: VerityFunnel;
  /** The blocklist check worker (functions/streams/check-existing-verifications.ts). */
  readonly blocklistCheck: VerityBlocklistCheck;
  readonly alarms: VerityAlarms;
  /** The evaluation canary, when the `canary` prop asks for one. */
  readonly canary?: VerityCanary;
  /** The CloudFront distribution and web ACL in front of the API, when `firewall` is given. */
  readonly firewall?: VerityFirewall;
  /**
   * The bucket the page uploads images to (`uploads.bucket`, keys under `uploads.prefix`); `uploads.grantRead(fn)` lets a function read
   * them.
   */
  readonly uploads: VerityUploads;
  /** The nested stacks that hold the functions, one per room (lib/rooms.ts): `rooms.all()`. */
  readonly rooms: VerityRooms;

  constructor(scope: Construct, id: string, props: VerityProps = {}) {
    super(scope, id);
    if (props.firewall && props.customDomain)
      throw new Error('firewall and customDomain cannot be combined: put your domain on the CloudFront distribution instead');
    validateProps(props);
    if (props.vpc) placeFunctionsIn(this, 'vpcId' in props.vpc ? this.importedNetwork(props.vpc.vpcId, props.vpc.subnetIds) : props.vpc);
    this.data = new VerityData(this, 'Data', { removalPolicy: props.removalPolicy, deletionProtection: props.deletionProtection });
    this.table = this.data.table;
    this.key = this.data.key;
    this.uploads = new VerityUploads(this, 'Uploads', { key: this.data.key, removalPolicy: props.removalPolicy });
    const signingSecret = new Secret(this, 'SigningSecret', {
      description: "Verity: signs each VerificationSession's client_secret and url",
      encryptionKey: this.data.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(signingSecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'Every outstanding client_secret and verification url is derived from this secret, so an automatic rotation would break each ' +
        'link already sent to a person. ' +
        'It is 64 random characters encrypted with the stack key; only the API functions may read it (GetSecretValue on this secret, ' +
        'once per container). ' +
        'Rotate it by replacing the secret during a quiet period.',
    });
    // The functions go in rooms, nested stacks of their own (lib/rooms.ts); what holds data stays here.
    this.rooms = new VerityRooms(this);
    const rooms = this.rooms;
    // Selfie blocklist entries' Rekognition collections, one per account and mode, made at run time (lib/faces.ts).
    const faceCollectionPrefix = faceCollectionPrefixOf(this);
    this.api = new VerityApi(this, 'Api', {
      rooms,
      routes: props.routes ?? routeTable,
      table: this.data.table,
      key: this.data.key,
      signingSecret,
      throttle: props.throttle ?? DEFAULT_THROTTLE,
      environment: {
        VERITY_REDACTION_DELAY_SECONDS: String(props.redactionDelaySeconds ?? 0),
        ...retentionEnvironment(props.retentionDays),
        ...(props.consoleAuditRetentionDays ? { VERITY_CONSOLE_AUDIT_RETENTION_DAYS: String(props.consoleAuditRetentionDays) } : {}),
        ...LIVE_PAGES_ENVIRONMENT,
        ...faceLivenessEnvironment(props.faceLiveness),
        // Every page and file function finds the file store by it (the page's CSP names the bucket).
        ...this.uploads.environment,
      },
      uploads: this.uploads,
      faceCollectionPrefix,
      customDomain: props.customDomain,
      firewall: props.firewall,
    });
    this.url = this.api.url;
    configureIdNumberRoutes(this.api.functions, props.liveChecks);
    this.firewall = this.api.firewall;
    this.events = new VerityEvents(this, 'Events', {
      key: this.data.key,
      table: this.data.table,
      room: rooms.scopeFor('Workers', 'Events'),
    });
    this.bus = this.events.bus;
    this.verification = new VerityVerification(this, 'Verification', {
      room: rooms.scopeFor('Workers', 'Verification'),
      key: this.data.key,
      table: this.data.table,
      environment: { ...retentionEnvironment(props.retentionDays), ...faceLivenessEnvironment(props.faceLiveness) },
      liveChecks: props.liveChecks,
      uploads: this.uploads,
      faceCollectionPrefix,
      workerConcurrency:
        props.workerConcurrency === false ? undefined : (props.workerConcurrency?.checksWorker ?? DEFAULT_WORKER_CONCURRENCY.checksWorker),
    });
    if (props.faceLiveness !== false) {
      const liveness = new VerityFaceLiveness(this, 'FaceLiveness', { key: this.data.key, uploads: this.uploads });
      const start = this.api.functions.get('CreateLivenessSession');
      if (start) liveness.grantStart(start);
      liveness.grantResults(this.verification.worker);
    }
    this.redaction = new VerityRedaction(this, 'Redaction', {
      room: rooms.scopeFor('Workers', 'Redaction'),
      key: this.data.key,
      table: this.data.table,
      retentionDays: props.retentionDays,
      uploads: this.uploads,
      faceCollectionPrefix,
    });
    this.funnel = new VerityFunnel(this, 'Funnel', {
      room: rooms.scopeFor('Workers', 'Funnel'),
      table: this.data.table,
      key: this.data.key,
    });
    this.blocklistCheck = new VerityBlocklistCheck(this, 'BlocklistCheck', {
      room: rooms.scopeFor('Workers', 'BlocklistCheck'),
      table: this.data.table,
      key: this.data.key,
      uploads: this.uploads,
      faceCollectionPrefix,
      environment: retentionEnvironment(props.retentionDays),
    });
    this.webhooks = new VerityWebhooks(this, 'Webhooks', {
      room: rooms.scopeFor('Workers', 'Webhooks'),
      table: this.data.table,
      key: this.data.key,
      signingSecret,
      publisher: this.events.publisher,
    });
    this.review = new VerityReview(this, 'Review', {
      room: rooms.scopeFor('Workers', 'Review'),
      table: this.data.table,
      key: this.data.key,
      alarmAfterMinutes: props.reviewAlarmAfterMinutes,
    });
    // Session keys (crypto-shredding, docs/reference/redaction.md): only the functions that open or seal a
    // session's values read keys and the key-encryption secret, as each route declares
    // (functions/routes.ts `sessionKeys`); only the one that creates sessions puts new keys, and
    // only redaction puts a destroyed key's tombstone. The checks worker changes sessions under
    // the keys they already have.
    const routes = props.routes ?? routeTable;
    for (const route of routes) {
      const fn = this.api.functions.get(route.name);
      if (fn && route.sessionKeys) this.data.grantSessionKeys(fn, route.sessionKeys);
    }
    // The publisher puts events on the bus as redaction leaves them, with no key (functions/streams/publish-events.ts).
    this.data.grantSessionKeys(this.webhooks.worker, 'open');
    this.data.grantSessionKeys(this.verification.worker, 'open');
    // The checks stream queues submissions and gives up expired ones (a session write, sealed).
    this.data.grantSessionKeys(this.verification.stream, 'open');
    this.data.grantSessionKeys(this.redaction.worker, 'shred');
    this.data.grantSessionKeys(this.redaction.backstop, 'shred');
    // Un-verifies sessions (a session write, sealed under the keys they already have).
    this.data.grantSessionKeys(this.blocklistCheck.worker, 'open');

    const workers = {
      publisher: this.events.publisher,
      checksWorker: this.verification.worker,
      redactionWorker: this.redaction.worker,
      redactionBackstop: this.redaction.backstop,
    };
    reserveConcurrency(workers, props.workerConcurrency);

    this.alarms = new VerityAlarms(this, 'Alarms', { key: this.data.key, email: props.alarmEmail });
    this.alarms.forApi(this.api.httpApi);
    // The API's functions: errors summed ten functions to an alarm, throttles with the account's
    // (they reserve no concurrency); the 5xx-rate alarm above watches what callers were answered.
    this.alarms.forFunctionGroup(
      'Routes',
      [...this.api.functions].map(([name, fn]) => [name, fn.function]),
    );
    const reserved = props.workerConcurrency !== false;
    this.alarms.forUnreservedThrottles(reserved ? Object.values(workers).map((worker) => worker.function) : []);
    // CloudWatch names operations, not IAM actions: every change of a session is a TransactWriteItems.
    this.alarms.forTable(this.data.table, [Operation.GET_ITEM, Operation.QUERY, Operation.TRANSACT_WRITE_ITEMS]);
    this.alarms.forQueue('EventBusDeadLetters', this.events.deadLetterQueue);
    this.alarms.forFunction('Publisher', this.events.publisher.function, { reservedConcurrency: reserved });
    this.alarms.forStreamConsumer('Publisher', this.events.publisher.function);
    this.alarms.forQueue('PublisherDeadLetters', this.events.publisherDeadLetterQueue);
    this.alarms.forFunction('ChecksWorker', this.verification.worker.function, { reservedConcurrency: reserved });
    this.alarms.forQueue('ChecksQueueDeadLetters', this.verification.queueDeadLetterQueue);
    // Bounded by the stream's shards (10 invocations each), with no reservation: its throttles are the account's.
    this.alarms.forFunction('ChecksStream', this.verification.stream.function, { reservedConcurrency: false });
    this.alarms.forStreamConsumer('ChecksStream', this.verification.stream.function);
    this.alarms.forQueue('ChecksDeadLetters', this.verification.deadLetterQueue);
    this.alarms.forFunction('RedactionWorker', this.redaction.worker.function, { reservedConcurrency: reserved });
    this.alarms.forStreamConsumer('RedactionWorker', this.redaction.worker.function);
    this.alarms.forQueue('RedactionDeadLetters', this.redaction.deadLetterQueue);
    // Bounded by the stream's shards, with no reservation: its throttles are the account's.
    this.alarms.forFunction('FunnelCounter', this.funnel.counter.function, { reservedConcurrency: false });
    this.alarms.forStreamConsumer('FunnelCounter', this.funnel.counter.function);
    this.alarms.forQueue('FunnelDeadLetters', this.funnel.deadLetterQueue);
    // Bounded by the stream's shards, with no reservation: its throttles are the account's.
    this.alarms.forFunction('BlocklistCheck', this.blocklistCheck.worker.function, { reservedConcurrency: false });
    this.alarms.forStreamConsumer('BlocklistCheck', this.blocklistCheck.worker.function);
    this.alarms.forQueue('BlocklistCheckDeadLetters', this.blocklistCheck.deadLetterQueue);
    this.alarms.forFunction('RedactionBackstop', this.redaction.backstop.function, { reservedConcurrency: reserved });
    // Run once a minute by its schedule, with no reservation: its throttles are the account's.
    this.alarms.forFunction('WebhookWorker', this.webhooks.worker.function, { reservedConcurrency: false });
    this.alarms.forQueue('WebhookScheduleDeadLetters', this.webhooks.deadLetterQueue);
    // Run every five minutes with no reservation: its throttles are the account's.
    this.alarms.forFunction('ReviewWatch', this.review.watch.function, { reservedConcurrency: false });
    this.alarms.forMetric(
      'ReviewsOverdue',
      this.review.reviewsOverdue,
      'A verification held for review has waited longer than reviewAlarmAfterMinutes: decide it in the console (To review)',
    );
    this.alarms.forMetric(
      'WebhookEndpointsDisabled',
      this.webhooks.endpointsDisabled,
      'A live webhook endpoint failed every delivery for three days and was disabled',
    );
    if (props.canary) {
      this.canary = new VerityCanary(this, 'Canary', { ...props.canary, key: this.data.key, room: rooms.scopeFor('Workers', 'Canary') });
      this.alarms.forMetric(
        'CanaryResultsChanged',
        this.canary.resultsChanged,
        "The evaluation canary's known samples gave another result than their baseline (a verdict, a field read, a face similarity or " +
          "AnalyzeID's model version): see the canary's log for which row and what moved",
      );
      // Run once a day with no reservation: its throttles are the account's.
      this.alarms.forFunction('Canary', this.canary.worker.function, { reservedConcurrency: false });
      this.alarms.forQueue('CanaryScheduleDeadLetters', this.canary.deadLetterQueue);
    }
  }

  /**
   * Sends Verity's lifecycle events to a target of yours, with a dead-letter queue and an alarm on it:
   * `verity.subscribe('Onboarding', { types: ['identity.verification_session.verified'], target: (props) => new targets.LambdaFunction(fn,
   * props) })`.
   * `id` names the rule, its queue and alarm (unique per Verity).
   */
  subscribe(id: string, options: SubscribeOptions): Rule {
    const rule = this.events.subscribe(id, options);
    this.alarms.forQueue(`${id}DeadLetters`, this.events.subscriberDeadLetterQueues.get(id)!);
    return rule;
  }

  private importedNetwork(vpcId: string, subnetIds: string[]): FunctionNetwork {
    if (!subnetIds.length) throw new Error('vpc.subnetIds must name at least one subnet');
    return {
      // The zones are not needed: the functions' subnets are named below.
      vpc: Vpc.fromVpcAttributes(this, 'Vpc', { vpcId, availabilityZones: Fn.getAzs() }),
      subnets: { subnets: subnetIds.map((id) => Subnet.fromSubnetId(this, `Subnet-${id}`, id)) },
    };
  }
}

/**
 * Refuses, before anything is built, a prop no deployment could use (a synthesis fails with the
 * prop's name and value, as bin/verity.ts does for its context options).
 */
function validateProps(props: VerityProps): void {
  if (props.canary) validateCanaryProps(props.canary);
  const integer = (name: string, value: number | undefined, minimum: number) => {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < minimum))
      throw new Error(`${name} must be an integer of at least ${minimum}, not ${value}`);
  };
  integer('redactionDelaySeconds', props.redactionDelaySeconds, 0);
  integer('retentionDays', props.retentionDays, 1);
  integer('consoleAuditRetentionDays', props.consoleAuditRetentionDays, 1);
  integer('reviewAlarmAfterMinutes', props.reviewAlarmAfterMinutes, 1);
  if ((props.reviewAlarmAfterMinutes ?? 0) > 43200)
    throw new Error(`reviewAlarmAfterMinutes must be at most 43200, not ${props.reviewAlarmAfterMinutes}`);
  if ((props.consoleAuditRetentionDays ?? 0) > 3650)
    throw new Error(`consoleAuditRetentionDays must be at most 3650, not ${props.consoleAuditRetentionDays}`);
  if (props.throttle) {
    // API Gateway takes a rate in requests per second (a fraction is allowed) and a burst in requests.
    if (!Number.isFinite(props.throttle.rateLimit) || props.throttle.rateLimit <= 0)
      throw new Error(`throttle.rateLimit must be a positive number, not ${props.throttle.rateLimit}`);
    integer('throttle.burstLimit', props.throttle.burstLimit, 1);
  }
  if (props.alarmEmail !== undefined && !/^[^\s@]+@[^\s@]+$/.test(props.alarmEmail))
    throw new Error(`alarmEmail must be an e-mail address, not "${props.alarmEmail}"`);
}

/** Gives each background function its reserved concurrency (the defaults, with `chosen` over them). */
function reserveConcurrency(
  functions: Record<keyof WorkerConcurrency, VerityFunction>,
  chosen: WorkerConcurrency | false | undefined,
): void {
  if (chosen === false) return;
  const reserved = { ...DEFAULT_WORKER_CONCURRENCY, ...chosen };
  for (const [name, fn] of Object.entries(functions) as [keyof WorkerConcurrency, VerityFunction][]) {
    const value = reserved[name];
    // 0 would stop the function altogether.
    if (!Number.isSafeInteger(value) || value < 1)
      throw new Error(`workerConcurrency.${name} must be an integer of at least 1, not ${value}`);
    (fn.function.node.defaultChild as CfnFunction).reservedConcurrentExecutions = value;
  }
}
