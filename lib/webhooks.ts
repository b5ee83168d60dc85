/**
 * Webhooks in AWS: the delivery worker, run every minute by an EventBridge schedule (with a
 * dead-letter queue for runs EventBridge could not start), and what the outbox publisher needs to
 * fan each event out into deliveries. The long waits between retries (up to 12 hours) are only
 * times in the `by_delivery_due` index (one lane per endpoint, and a shared list of the lanes due),
 * which each run reads; no queue or timer holds them, so neither SQS's 15-minute delay limit nor
 * TTL's lateness applies.
 */
import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { tableSchema } from '../functions/store/schema';
import { objectPartitionPatterns } from './api';
import { deadLetterQueue, scheduleOf, workerFunction } from './events';
import { workerNamed } from '../functions/workers';
import { VerityFunction } from './verity-function';

export interface VerityWebhooksProps {
  table: Table;
  key: Key;
  /** Signs each endpoint's secret: the worker reads it from Secrets Manager at start. */
  signingSecret: ISecret;
  /** The outbox publisher, which makes each event's deliveries. */
  publisher: VerityFunction;
  /** Where its functions and their triggers are built (a room's nested stack, lib/rooms.ts); its queues and log groups stay here. @default this construct */
  room?: Construct;
}

/** Items the webhook functions may touch: endpoints and their deliveries (`we_…` partitions) and events (`evt_…`). */
const WEBHOOK_OBJECTS = ['we', 'evt'];

export class VerityWebhooks extends Construct {
  readonly worker: VerityFunction;
  /** Scheduled runs EventBridge could not hand to the worker. */
  readonly deadLetterQueue: Queue;
  /** One each time the worker disables a live endpoint that failed for three days (functions/webhooks/delivery-worker.ts). */
  readonly endpointsDisabled: Metric;

  constructor(scope: Construct, id: string, props: VerityWebhooksProps) {
    super(scope, id);
    const { table, key } = props;
    const room = props.room ?? this;
    const worker = workerNamed('WebhookWorker');
    this.worker = workerFunction(room, 'Worker', worker, {
      logsIn: this,
      environment: { VERITY_TABLE_NAME: table.tableName, VERITY_SIGNING_SECRET_ARN: props.signingSecret.secretArn },
      environmentKey: key,
    });
    // DeleteItem: the marker of an endpoint's lane once no delivery is left in it.
    grantItems(this.worker, table, ['GetItem', 'UpdateItem', 'DeleteItem']);
    this.worker.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [tableSchema.indexes.byDeliveryDue, tableSchema.indexes.byType].map((index) => `${table.tableArn}/index/${index.name}`),
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

    // The fan-out: the publisher reads the event's account's endpoints, marks each endpoint's lane
    // due, and puts each delivery with its event's count, in one transaction.
    props.publisher.function.addEnvironment('VERITY_TABLE_NAME', table.tableName);
    grantItems(props.publisher, table, ['PutItem', 'UpdateItem']);
    props.publisher.role.addToPolicy(
      new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${tableSchema.indexes.byScope.name}`] }),
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
