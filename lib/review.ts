/**
 * The review watch in AWS: a scheduled function (functions/schedules/watch-review-queue.ts) that
 * counts the verdicts held for review longer than `alarmAfterMinutes` and logs the count as the
 * metric `Verity/Review` `ReviewsOverdue`, which the stack's alarm watches (lib/verity.ts). Its role
 * reads the shared watch partition and deletes its stale items, and reads queue items to check
 * they are still held: nothing else of the table, and no session key.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { REVIEW_ALARM_AFTER_ENV } from '../functions/schedules/watch-review-queue';
import { REVIEW_WATCH_PARTITION, reviewQueuePartitionPrefix, TABLE_NAME_ENV } from '../functions/store/schema';
import { workerNamed } from '../functions/workers';
import { scheduleOf, workerFunction } from './events';
import type { VerityFunction } from './verity-function';

export interface VerityReviewProps {
  table: Table;
  key: Key;
  /** Where the function goes (the workers' room); its log group stays in this construct. */
  room?: Construct;
  /** Minutes a held verdict may wait before the alarm (1 to 43200). @default 1440 (a day) */
  alarmAfterMinutes?: number;
}

export class VerityReview extends Construct {
  readonly watch: VerityFunction;
  /** Held verdicts waiting longer than the setting, as the last run counted them (Maximum over 5 minutes). */
  readonly reviewsOverdue: Metric;

  constructor(scope: Construct, id: string, props: VerityReviewProps) {
    super(scope, id);
    const room = props.room ?? this;
    const worker = workerNamed('ReviewWatch');
    this.watch = workerFunction(room, 'Watch', worker, {
      logsIn: this,
      environmentKey: props.key,
      environment: {
        [TABLE_NAME_ENV]: props.table.tableName,
        ...(props.alarmAfterMinutes ? { [REVIEW_ALARM_AFTER_ENV]: String(props.alarmAfterMinutes) } : {}),
      },
    });
    const { tableArn } = props.table;
    this.watch.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query', 'dynamodb:DeleteItem'],
        resources: [tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [REVIEW_WATCH_PARTITION] } },
      }),
    );
    this.watch.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${reviewQueuePartitionPrefix}*`] } },
      }),
    );
    // The table is encrypted with the stack's key; the watch writes nothing but deletes.
    this.watch.role.addToPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [props.key.keyArn],
      }),
    );
    const schedule = new Rule(room, 'WatchSchedule', {
      description: 'Runs the Verity review watch',
      schedule: Schedule.rate(scheduleOf(worker)),
      targets: [new LambdaFunction(this.watch.function, { retryAttempts: 2 })],
    });
    Validations.of(schedule).acknowledge({
      id: 'Serverless::Serverless-EventBusDLQ',
      reason:
        'A scheduled event carries no data to keep: a run that cannot be delivered is simply the next run, five minutes later, and the ' +
        'function alarms on errors.',
    });
    this.reviewsOverdue = new Metric({
      namespace: 'Verity/Review',
      metricName: 'ReviewsOverdue',
      statistic: 'Maximum',
      period: Duration.minutes(5),
    });
  }
}
