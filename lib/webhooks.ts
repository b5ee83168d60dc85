/**
 * Webhooks in AWS: the delivery worker, fed the first attempt of each new delivery through an SQS
 * fair queue (the publisher hands each delivery over as soon as it has made it, one message group
 * per account: functions/webhooks/hand-off.ts), and run every minute by an EventBridge schedule
 * (with a dead-letter queue for runs EventBridge could not start) for retries and anything a
 * hand-off missed; and what the outbox publisher needs to fan each event out into deliveries. The long waits between retries (up to 12
 * hours) are only
 * times in the `by_delivery_due` index (one lane per endpoint, and a shared list of the lanes due),
 * which each run reads; no queue or timer holds them, so neither SQS's 15-minute delay limit nor
 * TTL's lateness applies.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { TABLE_NAME_ENV, tableSchema } from '../functions/store/schema';
import { indexArns, indexReadsEnvironment } from './index-migration';
import { WEBHOOK_QUEUE_ENV } from '../functions/webhooks/hand-off';
import { objectPartitionPatterns } from './api';
import { consumeQueue, deadLetterQueue, scheduleOf, workerFunction } from './events';
import { workerNamed } from '../functions/workers';
import type { VerityFunction } from './verity-function';

export interface VerityWebhooksProps {
  table: Table;
  key: Key;
  /** Signs each endpoint's secret: the worker reads it from Secrets Manager at start. */
  signingSecret: ISecret;
  /** The outbox publisher, which makes each event's deliveries. */
  publisher: VerityFunction;
  /**
   * Where its functions and their triggers are built (a room's nested stack, lib/rooms.ts); its queues and log groups stay here. @default
   * this construct
   */
  room?: Construct;
}

/** Items the webhook functions may touch: endpoints and their deliveries (`we_…` partitions) and events (`evt_…`). */
const WEBHOOK_OBJECTS = ['we', 'evt'];

export class VerityWebhooks extends Construct {
  readonly worker: VerityFunction;
  /** Scheduled runs EventBridge could not hand to the worker. */
  readonly deadLetterQueue: Queue;
  /** New deliveries handed from the publisher to the worker: an SQS fair queue, one message group per account. */
  readonly queue: Queue;
  /** One each time the worker disables a live endpoint that failed for three days (functions/webhooks/delivery-worker.ts). */
  readonly endpointsDisabled: Metric;

  constructor(scope: Construct, id: string, props: VerityWebhooksProps) {
    super(scope, id);
    const { table, key } = props;
    const room = props.room ?? this;
    const worker = workerNamed('WebhookWorker');
    this.worker = workerFunction(room, 'Worker', worker, {
      logsIn: this,
      environment: {
        [TABLE_NAME_ENV]: table.tableName,
        VERITY_SIGNING_SECRET_ARN: props.signingSecret.secretArn,
        ...indexReadsEnvironment(this),
      },
      environmentKey: key,
    });
    // DeleteItem: the marker of an endpoint's lane once no delivery is left in it.
    // BatchGetItem: an endpoint's deliveries come from a lean index, which holds their keys (functions/store/partition.ts).
    grantItems(this.worker, table, ['GetItem', 'BatchGetItem', 'UpdateItem', 'DeleteItem']);
    this.worker.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: indexArns(this, table.tableArn, [tableSchema.indexes.byDeliveryDue.name, tableSchema.indexes.byType.name]),
      }),
    );
    this.worker.role.addToPolicy(
      new PolicyStatement({ actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }),
    );
    this.worker.role.addToPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.signingSecret.secretArn] }),
    );

    this.deadLetterQueue = deadLetterQueue(this, 'ScheduleDeadLetters', 'the webhook delivery schedule', key);
    new Rule(room, 'Schedule', {
      description: 'Runs the Verity webhook delivery worker',
      schedule: Schedule.rate(scheduleOf(worker)),
      targets: [
        new LambdaFunction(this.worker.function, {
          retryAttempts: 2,
          maxEventAge: Duration.minutes(2),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });

    // The hand-off. A message is a hint (the delivery is due in the index already), so it has no dead-letter
    // queue and is never handed back: the worker reports no failure, and the schedule attempts what it missed.
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      // AWS: at least six times the function's timeout, so a batch is not handed out again while it runs.
      visibilityTimeout: Duration.seconds(worker.timeoutSeconds * 6),
      // A job older than this is the schedule's long since.
      retentionPeriod: Duration.hours(1),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    for (const rule of [
      'AwsSolutions::AwsSolutions-SQS3',
      'Serverless::Serverless-SQSRedrivePolicy',
      'cdk-validator-cfnguard::sqs_dlq_check',
    ]) {
      Validations.of(this.queue).acknowledge({
        id: rule,
        reason:
          'Each message only hands a delivery that is already due in the by_delivery_due index to the worker early; the worker never ' +
          'hands a message back, ' +
          'and the scheduled run attempts any delivery whose message was lost, so a dead-letter queue would hold nothing to act on.',
      });
    }
    consumeQueue(this.worker, this.queue, {
      // Attempts run side by side within an invocation; the fair queue hands quiet accounts' messages out first.
      batchSize: 10,
      maxConcurrency: 20,
      failuresGoWhere:
        'A hand-off message is a hint: a delivery whose message fails stays due in the by_delivery_due index and the scheduled run ' +
        'attempts it.',
    });
    props.publisher.function.addEnvironment(WEBHOOK_QUEUE_ENV, this.queue.queueUrl);
    // Sending to the encrypted queue: sqs:SendMessage (SendMessageBatch is authorized by it) and the key, granted below.
    props.publisher.role.addToPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));

    // The fan-out: the publisher reads the event's account's endpoints, marks each endpoint's lane
    // due, and puts each delivery with its event's count, in one transaction.
    props.publisher.function.addEnvironment(TABLE_NAME_ENV, table.tableName);
    // BatchGetItem: the endpoints come from a lean index, which holds their keys (functions/store/partition.ts).
    grantItems(props.publisher, table, ['PutItem', 'UpdateItem', 'BatchGetItem']);
    for (const [name, value] of Object.entries(indexReadsEnvironment(this))) props.publisher.function.addEnvironment(name, value);
    props.publisher.role.addToPolicy(
      new PolicyStatement({ actions: ['dynamodb:Query'], resources: indexArns(this, table.tableArn, [tableSchema.indexes.byScope.name]) }),
    );
    props.publisher.role.addToPolicy(
      new PolicyStatement({ actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }),
    );

    this.endpointsDisabled = new Metric({
      namespace: 'Verity/Webhooks',
      metricName: 'EndpointsDisabled',
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
  }
}

/** Item actions on the webhook functions' own items only (dynamodb:LeadingKeys). */
function grantItems(fn: VerityFunction, table: Table, actions: string[]): void {
  fn.role.addToPolicy(
    new PolicyStatement({
      actions: actions.map((action) => `dynamodb:${action}`),
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': objectPartitionPatterns(WEBHOOK_OBJECTS) } },
    }),
  );
}
