/** Composes Verity's parts into one stack. */
import { CfnOutput, Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Operation } from 'aws-cdk-lib/aws-dynamodb';
import { Subnet, Vpc } from 'aws-cdk-lib/aws-ec2';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { routes as routeTable, type Route } from '../functions/routes';
import { VerityAlarms } from './alarms';
import { VerityApi, type VerityApiProps } from './api';
import { VerityData, type VerityDataProps } from './data';
import type { Rule } from 'aws-cdk-lib/aws-events';
import { VerityEvents, type SubscribeOptions } from './events';
import { VerityVerification } from './verification';
import { retentionEnvironment, VerityRedaction } from './redaction';
import { VerityWebhooks } from './webhooks';
import { VerityFirewall, type FirewallProps } from './firewall';
import { placeFunctionsIn, type FunctionNetwork, type VerityFunction } from './verity-function';

/**
 * Reserved concurrency of each background function: what it may always use, whatever the API's
 * traffic, and at most. Lambda keeps at least 100 of an account's concurrency unreserved, so the
 * account's limit must be at least 100 plus their sum (81 by default; new accounts may start at
 * less than 1000: `aws lambda get-account-settings`).
 */
export interface WorkerConcurrency {
  /** The outbox publisher: one invocation per stream shard. */
  readonly publisher?: number;
  /** The checks worker: up to 10 invocations per stream shard. */
  readonly checksWorker?: number;
  /** The redaction worker: up to 10 invocations per stream shard. */
  readonly redactionWorker?: number;
  /** The redaction backstop: one run at a time. */
  readonly redactionBackstop?: number;
}

export const DEFAULT_WORKER_CONCURRENCY: Required<WorkerConcurrency> = { publisher: 10, checksWorker: 50, redactionWorker: 20, redactionBackstop: 1 };

export interface VerityStackProps extends StackProps {
  readonly data?: VerityDataProps;
  /** The routes to serve; the route table unless a test passes its own. */
  readonly routes?: Route[];
  readonly throttle?: VerityApiProps['throttle'];
  readonly customDomain?: VerityApiProps['customDomain'];
  /** An address that gets every alarm. */
  readonly alarmEmail?: string;
  /** Seconds between a redact call and the redaction (default 0). */
  readonly redactionDelaySeconds?: number;
  /** Redact verified and canceled sessions this many days after they got there; off when left out. */
  readonly retentionDays?: number;
  /**
   * Run every function in this VPC, or the VPC and subnets these ids name (private subnets that
   * reach the AWS APIs through NAT or VPC endpoints); outside any VPC when left out.
   */
  readonly vpc?: FunctionNetwork | { readonly vpcId: string; readonly subnetIds: string[] };
  /** Reserved concurrency of the background functions, merged over DEFAULT_WORKER_CONCURRENCY; `false` reserves none. */
  readonly workerConcurrency?: WorkerConcurrency | false;
  /** Serve the API through CloudFront with an AWS WAF rate-based rule; off when left out. Not with `customDomain`. */
  readonly firewall?: FirewallProps;
}

export class VerityStack extends Stack {
  /**
   * Sends Verity's lifecycle events to a target of yours, with a dead-letter queue and an alarm on it:
   * `verity.subscribe('Onboarding', { types: ['identity.verification_session.verified'], target: (props) => new targets.LambdaFunction(fn, props) })`.
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

  readonly data: VerityData;
  readonly api: VerityApi;
  readonly events: VerityEvents;
  readonly verification: VerityVerification;
  readonly redaction: VerityRedaction;
  readonly webhooks: VerityWebhooks;
  readonly alarms: VerityAlarms;
  /** The CloudFront distribution and web ACL in front of the API, when `firewall` is given. */
  readonly firewall?: VerityFirewall;

  constructor(scope: Construct, id: string, props: VerityStackProps = {}) {
    super(scope, id, props);
    if (props.firewall && props.customDomain) throw new Error('firewall and customDomain cannot be combined: put your domain on the CloudFront distribution instead');
    if (props.vpc) placeFunctionsIn(this, 'vpcId' in props.vpc ? this.importedNetwork(props.vpc.vpcId, props.vpc.subnetIds) : props.vpc);
    this.data = new VerityData(this, 'Data', props.data);
    const signingSecret = new Secret(this, 'SigningSecret', {
      description: "Verity: signs each VerificationSession's client_secret and url",
      encryptionKey: this.data.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(signingSecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        "Every outstanding client_secret and verification url is derived from this secret, so an automatic rotation would break each link already sent to a person. " +
        'It is 64 random characters encrypted with the stack key; only the API functions may read it (GetSecretValue on this secret, once per container). ' +
        'Rotate it by replacing the secret during a quiet period.',
    });
    this.api = new VerityApi(this, 'Api', {
      routes: props.routes ?? routeTable,
      table: this.data.table,
      key: this.data.key,
      signingSecret,
      throttle: props.throttle ?? { rateLimit: 100, burstLimit: 200 },
      environment: { VERITY_REDACTION_DELAY_SECONDS: String(props.redactionDelaySeconds ?? 0), ...retentionEnvironment(props.retentionDays) },
      customDomain: props.customDomain,
      firewall: props.firewall,
    });
    this.firewall = this.api.firewall;
    this.events = new VerityEvents(this, 'Events', { key: this.data.key, table: this.data.table });
    this.verification = new VerityVerification(this, 'Verification', {
      key: this.data.key,
      table: this.data.table,
      environment: retentionEnvironment(props.retentionDays),
    });
    this.redaction = new VerityRedaction(this, 'Redaction', {
      key: this.data.key,
      table: this.data.table,
      retentionDays: props.retentionDays,
    });
    this.webhooks = new VerityWebhooks(this, 'Webhooks', { table: this.data.table, key: this.data.key, signingSecret, publisher: this.events.publisher });

    reserveConcurrency(
      {
        publisher: this.events.publisher,
        checksWorker: this.verification.worker,
        redactionWorker: this.redaction.worker,
        redactionBackstop: this.redaction.backstop,
      },
      props.workerConcurrency,
    );

    this.alarms = new VerityAlarms(this, 'Alarms', { key: this.data.key, email: props.alarmEmail });
    this.alarms.forApi(this.api.httpApi);
    for (const [name, fn] of this.api.functions) this.alarms.forFunction(name, fn.function);
    // CloudWatch names operations, not IAM actions: every change of a session is a TransactWriteItems.
    this.alarms.forTable(this.data.table, [Operation.GET_ITEM, Operation.QUERY, Operation.TRANSACT_WRITE_ITEMS]);
    this.alarms.forQueue('EventBusDeadLetters', this.events.deadLetterQueue);
    this.alarms.forFunction('Publisher', this.events.publisher.function);
    this.alarms.forStreamConsumer('Publisher', this.events.publisher.function);
    this.alarms.forQueue('PublisherDeadLetters', this.events.publisherDeadLetterQueue);
    this.alarms.forFunction('ChecksWorker', this.verification.worker.function);
    this.alarms.forStreamConsumer('ChecksWorker', this.verification.worker.function);
    this.alarms.forQueue('ChecksDeadLetters', this.verification.deadLetterQueue);
    this.alarms.forFunction('RedactionWorker', this.redaction.worker.function);
    this.alarms.forStreamConsumer('RedactionWorker', this.redaction.worker.function);
    this.alarms.forQueue('RedactionDeadLetters', this.redaction.deadLetterQueue);
    this.alarms.forFunction('RedactionBackstop', this.redaction.backstop.function);
    this.alarms.forFunction('WebhookWorker', this.webhooks.worker.function);
    this.alarms.forQueue('WebhookScheduleDeadLetters', this.webhooks.deadLetterQueue);
    this.alarms.forMetric('WebhookEndpointsDisabled', this.webhooks.endpointsDisabled, 'A live webhook endpoint failed every delivery for three days and was disabled');

    new CfnOutput(this, 'ApiUrl', { description: 'Base URL of the Stripe-compatible API', value: this.api.url });
    if (this.api.customDomainTarget) {
      // The DNS record is the user's to create (their zone may live anywhere): this is its target.
      new CfnOutput(this, 'CustomDomainTarget', {
        description: 'Point your domain at this name (CNAME, or a Route 53 alias with the regional hosted zone)',
        value: this.api.customDomainTarget,
      });
    }
    new CfnOutput(this, 'TableName', {
      description: 'The DynamoDB table (VERITY_TABLE_NAME for npm run keys -- --aws)',
      value: this.data.table.tableName,
    });
    new CfnOutput(this, 'EventBusName', {
      description: 'EventBridge bus carrying identity.verification_session.* events',
      value: this.events.bus.eventBusName,
      exportName: `${this.stackName}-EventBusName`,
    });
    new CfnOutput(this, 'EventBusArn', { value: this.events.bus.eventBusArn, exportName: `${this.stackName}-EventBusArn` });
    new CfnOutput(this, 'KeyArn', {
      description: 'The stack key: npm run keys -- --aws needs kms:Encrypt, kms:Decrypt and kms:GenerateDataKey on it',
      value: this.data.key.keyArn,
    });
    new CfnOutput(this, 'AlarmTopicArn', { description: 'Subscribe to receive alarms', value: this.alarms.topic.topicArn });
  }
}

/** Gives each background function its reserved concurrency (the defaults, with `chosen` over them). */
function reserveConcurrency(functions: Record<keyof WorkerConcurrency, VerityFunction>, chosen: WorkerConcurrency | false | undefined): void {
  if (chosen === false) return;
  const reserved = { ...DEFAULT_WORKER_CONCURRENCY, ...chosen };
  for (const [name, fn] of Object.entries(functions) as [keyof WorkerConcurrency, VerityFunction][]) {
    const value = reserved[name];
    // 0 would stop the function altogether.
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`workerConcurrency.${name} must be an integer of at least 1, not ${value}`);
    (fn.function.node.defaultChild as CfnFunction).reservedConcurrentExecutions = value;
  }
}
