/**
 * Alarms on what would page someone, all notifying one SNS topic (encrypted, TLS only).
 * Subscribe an address with the `alarmEmail` context or to the `AlarmTopicArn` output.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Operation, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { allowServiceToUseKey } from './data';

const FIVE_MINUTES = Duration.minutes(5);

export class VerityAlarms extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: { key: Key; email?: string }) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', { displayName: 'Verity alarms', masterKey: props.key, enforceSSL: true });
    // CloudWatch publishes to the encrypted topic, so it must be able to use the key.
    allowServiceToUseKey(props.key, 'cloudwatch.amazonaws.com');
    if (props.email) {
      const subscription = this.topic.addSubscription(new EmailSubscription(props.email));
      Validations.of(subscription).acknowledge({
        id: 'Serverless::Serverless-SNSRedrivePolicy',
        reason:
          'The e-mail subscription carries alarm notifications only, no data: one SNS cannot deliver to the address after its retries would sit in a queue nobody reads. ' +
          'The alarm stays in ALARM in CloudWatch, and the topic (alarms.topic) takes other subscriptions, with a redrive policy of their own, for whoever needs every notification.',
      });
    }
  }

  private alarm(id: string, metric: IMetric, threshold: number, description: string): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    return alarm;
  }

  forApi(api: HttpApi): void {
    const serverErrorRate = new MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: {
        errors: api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
        requests: api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' }),
      },
      label: '5xx %',
      period: FIVE_MINUTES,
    });
    this.alarm('Api5xxRate', serverErrorRate, 1, 'More than 1% of API requests answered 5xx in 5 minutes');
    this.alarm('ApiLatencyP99', api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }), 2000, 'API p99 latency at or above 2 s for 5 minutes');
  }

  forFunction(name: string, fn: IFunction): void {
    this.alarm(`${name}Errors`, fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), 1, `${name}: the function failed`);
    this.alarm(`${name}Throttles`, fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }), 1, `${name}: invocations were throttled`);
  }

  /** Records waiting in the stream: the publisher falls behind or keeps failing. */
  forStreamConsumer(name: string, fn: IFunction): void {
    this.alarm(`${name}IteratorAge`, fn.metric('IteratorAge', { period: FIVE_MINUTES, statistic: 'Maximum' }), 60_000, `${name}: stream records wait a minute or more`);
  }

  /** `operations`: the DynamoDB operations Verity performs (CloudWatch reports these two metrics per operation). */
  forTable(table: Table, operations: Operation[]): void {
    const options = { period: FIVE_MINUTES, statistic: 'Sum', operations };
    this.alarm('TableThrottles', table.metricThrottledRequestsForOperations(options), 1, 'DynamoDB throttled requests');
    this.alarm('TableSystemErrors', table.metricSystemErrorsForOperations(options), 1, 'DynamoDB answered with system errors');
  }

  /** Any count that should be zero: one in five minutes alarms. */
  forMetric(name: string, metric: IMetric, description: string): void {
    this.alarm(name, metric, 1, description);
  }

  forQueue(name: string, queue: IQueue): void {
    this.alarm(`${name}Depth`, queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }), 1, `${name}: messages are waiting in a dead-letter queue`);
  }
}
