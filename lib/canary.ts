/**
 * The evaluation canary in AWS (functions/schedules/evaluation-canary.ts): a function run once a
 * day by an EventBridge schedule (with a dead-letter queue for runs EventBridge could not start,
 * as the webhook worker's), and the metric its alarm watches. Its role may read the samples'
 * prefix and call the four live-check actions, and nothing else: no table, no bus, no uploads.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CANARY_ENV, CANARY_NAMESPACE, DEFAULT_SIMILARITY_TOLERANCE } from '../functions/schedules/evaluation-canary';
import { deadLetterQueue } from './events';
import { VerityFunction } from './verity-function';

/** The canary's samples: where `npx verity evaluate` wrote them and their baseline, copied to S3. */
export interface CanaryProps {
  /** The bucket (yours, in the stack's region) that holds the samples. */
  readonly bucketName: string;
  /** The key prefix of labels.csv, the images and canary-baseline.json, e.g. `verity-canary/`. @default the bucket's root */
  readonly prefix?: string;
  /** How far (similarity points, 0–100) a face match may move before the alarm. @default 2 */
  readonly similarityTolerance?: number;
  /** The ARN of the KMS key the bucket encrypts the samples with, when it is a customer-managed key. @default none (SSE-S3) */
  readonly bucketKeyArn?: string;
  /** @default once a day */
  readonly schedule?: Schedule;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Refuses props no deployment could use, naming the prop (the Verity construct calls it before building anything). */
export function validateCanaryProps(props: CanaryProps): void {
  if (!BUCKET_NAME.test(props.bucketName)) throw new Error(`canary.bucketName must be an S3 bucket name, not "${props.bucketName}"`);
  const prefix = props.prefix ?? '';
  if (prefix && (!prefix.endsWith('/') || prefix.startsWith('/') || /[*?]/.test(prefix)))
    throw new Error(`canary.prefix must end in / and hold no wildcard, not "${prefix}"`);
  const tolerance = props.similarityTolerance ?? DEFAULT_SIMILARITY_TOLERANCE;
  if (!(tolerance >= 0 && tolerance <= 100)) throw new Error(`canary.similarityTolerance must be from 0 to 100, not ${tolerance}`);
}

export class VerityCanary extends Construct {
  readonly worker: VerityFunction;
  readonly deadLetterQueue: Queue;
  /** Rows whose result moved from the baseline, each run. */
  readonly resultsChanged: Metric;

  constructor(
    scope: Construct,
    id: string,
    props: CanaryProps & {
      key: Key /** Where its function and schedule are built (lib/rooms.ts). @default this construct */;
      room?: Construct;
    },
  ) {
    super(scope, id);
    validateCanaryProps(props);
    const prefix = props.prefix ?? '';
    const tolerance = props.similarityTolerance ?? DEFAULT_SIMILARITY_TOLERANCE;

    const room = props.room ?? this;
    this.worker = new VerityFunction(room, 'Worker', {
      logsIn: this,
      handlerModule: 'schedules/evaluation-canary',
      description: 'Verity evaluation canary: runs known samples through the live checks and compares them with their baseline',
      environment: { [CANARY_ENV.bucket]: props.bucketName, [CANARY_ENV.prefix]: prefix, [CANARY_ENV.tolerance]: String(tolerance) },
      environmentKey: props.key,
      // At most 20 rows, each a few AWS calls of a second or two.
      timeout: Duration.minutes(5),
      memorySize: 512,
      invokedBy: 'schedule',
    });
    const role = this.worker.role;
    role.addToPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${props.bucketName}/${prefix}*`] }));
    if (props.bucketKeyArn) role.addToPolicy(new PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.bucketKeyArn] }));
    // Its environment is encrypted with Verity's key.
    role.addToPolicy(new PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.key.keyArn] }));
    const liveChecks = new Policy(room, 'LiveChecksPolicy', {
      statements: [
        new PolicyStatement({
          actions: ['textract:AnalyzeID', 'textract:DetectDocumentText', 'rekognition:DetectFaces', 'rekognition:CompareFaces'],
          resources: ['*'],
        }),
      ],
    });
    liveChecks.attachToRole(role);
    Validations.of(liveChecks).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'textract:AnalyzeID, textract:DetectDocumentText, rekognition:DetectFaces and rekognition:CompareFaces define no resource types, ' +
        'so IAM accepts only "*" for them ' +
        '(Service Authorization Reference: list_amazontextract.html, list_amazonrekognition.html). The canary sends them images as bytes ' +
        'read from its one prefix.',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:s3:::${props.bucketName}/${prefix}*]`,
      reason: 'The canary reads every object under the samples prefix the adopter named (labels.csv names the images), and only there.',
    });

    this.deadLetterQueue = deadLetterQueue(this, 'ScheduleDeadLetters', 'the evaluation canary schedule', props.key);
    new Rule(room, 'Schedule', {
      description: 'Runs the Verity evaluation canary',
      schedule: props.schedule ?? Schedule.rate(Duration.days(1)),
      targets: [
        new LambdaFunction(this.worker.function, {
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
    this.resultsChanged = new Metric({
      namespace: CANARY_NAMESPACE,
      metricName: 'ResultsChanged',
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
  }
}
