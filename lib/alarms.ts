/**
 * Alarms on what would page someone, all notifying one SNS topic (encrypted, TLS only).
 * Subscribe an address with the `alarmEmail` context or to the `AlarmTopicArn` output.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
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
/**
 * The most metrics one CloudWatch alarm on a metric math expression may use (CloudWatch User Guide,
 * "Create a CloudWatch alarm based on a metric math expression").
 */
export const MAX_METRICS_PER_ALARM = 10;

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
          'The e-mail subscription carries alarm notifications only, no data: one SNS cannot deliver to the address after its retries ' +
          'would sit in a queue nobody reads. ' +
          'The alarm stays in ALARM in CloudWatch, and the topic (alarms.topic) takes other subscriptions, with a redrive policy of ' +
          'their own, for whoever needs every notification.',
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
    this.alarm(
      'ApiLatencyP99',
      api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
      2000,
      'API p99 latency at or above 2 s for 5 minutes',
    );
  }

  /**
   * A background function: its errors, and, when it has reserved concurrency, its throttles (it ran
   * into its own reservation: records wait in the stream). One without a reservation draws on the
   * account's unreserved concurrency, which `forUnreservedThrottles` watches for every function.
   */
  forFunction(name: string, fn: IFunction, options: { reservedConcurrency: boolean }): void {
    this.alarm(`${name}Errors`, fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), 1, `${name}: the function failed`);
    if (options.reservedConcurrency) {
      this.alarm(
        `${name}Throttles`,
        fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        1,
        `${name}: invocations were throttled at its reserved concurrency`,
      );
    }
  }

  /**
   * Functions watched together (the API's, one per route): the sum of their errors (a crash, a
   * timeout, out of memory: a handled error answers a Stripe error and is no Lambda error), one
   * alarm per MAX_METRICS_PER_ALARM functions, `${name}Errors1`, `${name}Errors2`…, each naming
   * its functions. Which one failed is in its Errors metric and its log group. Per function, 2
   * alarms each cost a stack resource (docs/deploying.md, *What it builds*); this costs one per ten.
   */
  forFunctionGroup(name: string, functions: [string, IFunction][]): void {
    for (let start = 0, group = 1; start < functions.length; start += MAX_METRICS_PER_ALARM, group++) {
      const members = functions.slice(start, start + MAX_METRICS_PER_ALARM);
      const usingMetrics = Object.fromEntries(
        members.map(([, fn], i) => [`e${i}`, fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' })]),
      );
      const errors = new MathExpression({
        // FILL: a function that was not invoked has no data, which must not hide another's errors.
        expression: Object.keys(usingMetrics)
          .map((id) => `FILL(${id}, 0)`)
          .join(' + '),
        usingMetrics,
        label: `${name} errors`,
        period: FIVE_MINUTES,
      });
      this.alarm(
        `${name}Errors${group}`,
        errors,
        1,
        `${name}: one of these functions failed: ${members.map(([memberName]) => memberName).join(', ')}`,
      );
    }
  }

  /**
   * Throttling of the functions without reserved concurrency (the API's, the webhook worker, and
   * any other function in the account): they share the account's unreserved concurrency, so a
   * throttle says the account ran out of it, a fact of the account, not of one function. One alarm
   * on the account-wide `AWS/Lambda` `Throttles` (no dimension: Lambda publishes it for every
   * account), less those of `reserved`, which throttle at their own reservation and alarm on it.
   */
  forUnreservedThrottles(reserved: IFunction[]): void {
    const account = new Metric({ namespace: 'AWS/Lambda', metricName: 'Throttles', period: FIVE_MINUTES, statistic: 'Sum' });
    const usingMetrics: Record<string, IMetric> = {
      account,
      ...Object.fromEntries(reserved.map((fn, i) => [`r${i}`, fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' })])),
    };
    if (Object.keys(usingMetrics).length > MAX_METRICS_PER_ALARM)
      throw new Error(`forUnreservedThrottles takes at most ${MAX_METRICS_PER_ALARM - 1} reserved functions`);
    const unreserved = reserved.length
      ? new MathExpression({
          expression: `FILL(account, 0) - (${reserved.map((_, i) => `FILL(r${i}, 0)`).join(' + ')})`,
          usingMetrics,
          label: 'Throttles without reserved concurrency',
          period: FIVE_MINUTES,
        })
      : account;
    this.alarm(
      'UnreservedThrottles',
      unreserved,
      1,
      "Lambda throttled functions without reserved concurrency in this account and region (Verity's API functions and workers without a " +
        "reservation, or other applications'): " +
        'their unreserved concurrency ran out. Raise the account limit, or find the function that takes it (ConcurrentExecutions per ' +
        'function).',
    );
  }

  /** Records waiting in the stream: the publisher falls behind or keeps failing. */
  forStreamConsumer(name: string, fn: IFunction): void {
    this.alarm(
      `${name}IteratorAge`,
      fn.metric('IteratorAge', { period: FIVE_MINUTES, statistic: 'Maximum' }),
      60_000,
      `${name}: stream records wait a minute or more`,
    );
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
    this.alarm(
      `${name}Depth`,
      queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
      1,
      `${name}: messages are waiting in a dead-letter queue`,
    );
  }
}
