/**
 * Verifying in AWS: the checks worker, fed by the table's stream with each new submission (the
 * same outbox as events: the submission is written with the move to `processing`, so it cannot
 * be lost), with retries, bisection and a dead-letter queue of its own.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ID_NUMBER_PROVIDER_ENV, lambdaRegionOf, LIVE_CHECKS_ENV } from '../functions/checks/availability';
import { LIVE_CHECK_ENV, liveCheckSettings, type LiveCheckSettings } from '../functions/checks/live/settings';
import { SUBMISSION_KIND } from '../functions/store/submissions';
import { deadLetterQueue, tableStreamSource } from './events';
import type { VerityUploads } from './uploads';
import { VerityFunction } from './verity-function';

/**
 * How live sessions are checked (functions/checks/live): Textract and Rekognition always; the
 * thresholds the defaults of LiveCheckSettings leave out; and the business's ID-number provider.
 */
export interface LiveChecksProps {
  /** Thresholds to change (functions/checks/live/settings.ts gives each one's default, unit and range). @default Verity's defaults */
  readonly settings?: Partial<LiveCheckSettings>;
  /**
   * The ARN of a Lambda function of yours that checks ID numbers (its JSON contract:
   * functions/checks/lambda-id-number-provider.ts). Without one, live sessions that ask for an ID
   * number are refused. @default none
   */
  readonly idNumberProviderFunctionArn?: string;
}

/**
 * The environment that configures live checks, for the checks worker (thresholds, provider) and
 * the API functions (whether live pages may proceed, whether an ID number can be checked).
 * Throws, at synthesis, what the function would throw at start-up for a value out of range.
 */
export function liveChecksEnvironment(props: LiveChecksProps = {}): Record<string, string> {
  const environment: Record<string, string> = { [LIVE_CHECKS_ENV]: 'aws' };
  for (const [name, value] of Object.entries(props.settings ?? {}) as [keyof LiveCheckSettings, number | undefined][]) {
    if (value !== undefined) environment[LIVE_CHECK_ENV[name].name] = String(value);
  }
  liveCheckSettings(environment);
  if (props.idNumberProviderFunctionArn) {
    lambdaRegionOf(props.idNumberProviderFunctionArn);
    environment[ID_NUMBER_PROVIDER_ENV] = props.idNumberProviderFunctionArn;
  }
  return environment;
}

/** For the API functions: live sessions' pages may proceed, since the checks worker has the live provider (functions/checks/availability.ts). */
export const LIVE_PAGES_ENVIRONMENT: Record<string, string> = { [LIVE_CHECKS_ENV]: 'aws' };

/** The routes that create and update sessions: they refuse a live session asking for an ID number that no provider can check. */
const ID_NUMBER_ROUTES = ['CreateVerificationSession', 'UpdateVerificationSession'];

/** Tells the create and update functions of `api` (VerityApi.functions) about the ID-number provider, when there is one. */
export function configureIdNumberRoutes(functions: ReadonlyMap<string, VerityFunction>, props: LiveChecksProps = {}): void {
  if (!props.idNumberProviderFunctionArn) return;
  for (const name of ID_NUMBER_ROUTES) functions.get(name)?.function.addEnvironment(ID_NUMBER_PROVIDER_ENV, props.idNumberProviderFunctionArn);
}

export class VerityVerification extends Construct {
  readonly worker: VerityFunction;
  /** Submissions whose checks failed on every retry. */
  readonly deadLetterQueue: Queue;

  constructor(
    scope: Construct,
    id: string,
    props: { table: Table; key: Key; environment?: Record<string, string>; liveChecks?: LiveChecksProps; uploads: VerityUploads },
  ) {
    super(scope, id);
    this.worker = new VerityFunction(this, 'ChecksWorker', {
      handlerModule: 'streams/run-verification-checks',
      description: 'Verity checks worker: runs the checks of each submission and concludes its session',
      environment: { VERITY_TABLE_NAME: props.table.tableName, ...liveChecksEnvironment(props.liveChecks), ...props.environment },
      environmentKey: props.key,
      // A test case may wait up to 60 s before answering; sessions in one batch wait side by side.
      timeout: Duration.seconds(90),
      invokedBy: 'stream',
    });
    // Reads the session; writes the verdict, its report and events; removes the submission.
    this.worker.role.addToPolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], resources: [props.table.tableArn] }),
    );
    // kms:Decrypt also lets Textract and Rekognition read the SSE-KMS uploads, which they fetch as this role.
    this.worker.role.addToPolicy(
      new PolicyStatement({ actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [props.key.keyArn] }),
    );
    // The live checks: exactly these four calls, which IAM cannot narrow to a resource.
    const liveChecks = new Policy(this, 'LiveChecksPolicy', {
      statements: [
        new PolicyStatement({
          actions: ['textract:AnalyzeID', 'textract:DetectDocumentText', 'rekognition:DetectFaces', 'rekognition:CompareFaces'],
          resources: ['*'],
        }),
      ],
    });
    liveChecks.attachToRole(this.worker.role);
    Validations.of(liveChecks).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'textract:AnalyzeID, textract:DetectDocumentText, rekognition:DetectFaces and rekognition:CompareFaces define no resource types, so IAM accepts only "*" for them ' +
        '(Service Authorization Reference: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazontextract.html and ' +
        'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrekognition.html). The images they read are limited by this role\'s s3:GetObject on the upload prefix alone.',
    });
    // The images: read under the upload prefix (Textract and Rekognition fetch them as this role).
    props.uploads.grantRead(this.worker);
    const idNumberProvider = props.liveChecks?.idNumberProviderFunctionArn;
    if (idNumberProvider) {
      this.worker.role.addToPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [idNumberProvider] }));
    }
    this.deadLetterQueue = deadLetterQueue(this, 'ChecksDeadLetters', 'the checks worker', props.key);
    this.worker.function.addEventSource(
      tableStreamSource(props.table, {
        // New submissions, and those TTL removes because nothing concluded them.
        records: [
          { eventName: 'INSERT', kind: SUBMISSION_KIND },
          { eventName: 'REMOVE', kind: SUBMISSION_KIND },
        ],
        batchSize: 10,
        deadLetterQueue: this.deadLetterQueue,
        key: props.key,
        // Shards are read in parallel so one session's wait does not hold up many others.
        parallelizationFactor: 10,
      }),
    );
  }
}
