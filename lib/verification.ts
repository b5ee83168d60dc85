/**
 * Verifying in AWS: the checks stream, fed by the table's stream with each new submission (the
 * same outbox as events: the submission is written with the move to `processing`, so it cannot
 * be lost), with retries, bisection and a dead-letter queue of its own, queues each submission's
 * checks in an SQS fair queue (the account is the message group; a test case's delay is the
 * message's delay); the checks worker runs them from there, at most its reserved concurrency at
 * once. No shard waits for a check, and SQS serves other accounts first while one account has a
 * backlog or slow checks in flight (functions/checks/queue.ts).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { VERIFIED_DOCUMENT_PREFIX } from '../functions/store/verified-documents';
import { BLOCKLIST_MATCH_PREFIX } from '../functions/store/blocklist-entries';
import { objectPartitionPatterns } from './api';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { RemovalPolicy } from 'aws-cdk-lib';
import { CHECKS_QUEUE_ENV } from '../functions/checks/queue';
import { Construct } from 'constructs';
import { ID_NUMBER_PROVIDER_ENV, lambdaRegionOf, LIVE_CHECKS_ENV } from '../functions/checks/availability';
import { LIVE_CHECK_ENV, liveCheckSettings, type LiveCheckSettings } from '../functions/checks/live/settings';
import { workerNamed } from '../functions/workers';
import { consumeQueue, deadLetterQueue, streamOf, tableStreamSource, workerFunction } from './events';
import { FACE_MATCH_THRESHOLD_ENV, faceMatchThreshold } from '../functions/store/face-settings';
import { grantFaces } from './faces';
import type { VerityUploads } from './uploads';
import type { VerityFunction } from './verity-function';
import { TABLE_NAME_ENV } from '../functions/store/schema';

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
  /**
   * SearchFacesByImage's FaceMatchThreshold (0–100) for selfie blocklist entries, as
   * `VERITY_FACE_MATCH_THRESHOLD` on the checks worker (functions/store/faces.ts). @default 99
   */
  readonly faceMatchThreshold?: number;
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
  if (props.faceMatchThreshold !== undefined) {
    environment[FACE_MATCH_THRESHOLD_ENV] = String(props.faceMatchThreshold);
    faceMatchThreshold(environment);
  }
  if (props.idNumberProviderFunctionArn) {
    lambdaRegionOf(props.idNumberProviderFunctionArn);
    environment[ID_NUMBER_PROVIDER_ENV] = props.idNumberProviderFunctionArn;
  }
  return environment;
}

/**
 * For the API functions: live sessions' pages may proceed, since the checks worker has the live provider
 * (functions/checks/availability.ts).
 */
export const LIVE_PAGES_ENVIRONMENT: Record<string, string> = { [LIVE_CHECKS_ENV]: 'aws' };

/** The routes that create and update sessions: they refuse a live session asking for an ID number that no provider can check. */
const ID_NUMBER_ROUTES = ['CreateVerificationSession', 'UpdateVerificationSession'];

/** Tells the create and update functions of `api` (VerityApi.functions) about the ID-number provider, when there is one. */
export function configureIdNumberRoutes(functions: ReadonlyMap<string, VerityFunction>, props: LiveChecksProps = {}): void {
  if (!props.idNumberProviderFunctionArn) return;
  for (const name of ID_NUMBER_ROUTES)
    functions.get(name)?.function.addEnvironment(ID_NUMBER_PROVIDER_ENV, props.idNumberProviderFunctionArn);
}

/** How long the checks worker may take for one submission (the workers table, functions/workers.ts). */
const CHECKS_TIMEOUT = Duration.seconds(workerNamed('ChecksWorker').timeoutSeconds);
/** Receives of one job before it goes to the dead-letter queue (its session is given up when its submission expires). */
const CHECKS_RECEIVES = 5;

export class VerityVerification extends Construct {
  /** Runs the checks of each queued submission and concludes its session. */
  readonly worker: VerityFunction;
  /** Reads new submissions from the table's stream and queues their checks; gives up expired ones. */
  readonly stream: VerityFunction;
  /** The checks queue: an SQS fair queue, one message group per account. */
  readonly queue: Queue;
  /** Submissions the checks stream failed to queue (or give up) on every retry. */
  readonly deadLetterQueue: Queue;
  /** Jobs the checks worker failed on every receive. */
  readonly queueDeadLetterQueue: Queue;

  constructor(
    scope: Construct,
    id: string,
    props: {
      table: Table;
      key: Key;
      environment?: Record<string, string>;
      liveChecks?: LiveChecksProps;
      uploads: VerityUploads;
      /** The prefix of the stack's face collections (lib/faces.ts): the checks worker searches a selfie in them. */
      faceCollectionPrefix?: string;
      /**
       * The checks worker's reserved concurrency, if any: the queue never starts more (throttled receives would count towards the
       * dead-letter queue).
       */
      workerConcurrency?: number;
      /**
       * Where its functions and their triggers are built (a room's nested stack, lib/rooms.ts); its queues and log groups stay here.
       * @default this construct
       */
      room?: Construct;
    },
  ) {
    super(scope, id);
    this.queueDeadLetterQueue = deadLetterQueue(this, 'ChecksQueueDeadLetters', 'the checks queue', props.key, true);
    this.queue = new Queue(this, 'ChecksQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      // AWS: at least six times the function's timeout, so a job is not handed out again while it runs.
      visibilityTimeout: Duration.seconds(CHECKS_TIMEOUT.toSeconds() * 6),
      // The submission lives 25 hours; a job has no use after that.
      retentionPeriod: Duration.days(2),
      deadLetterQueue: { queue: this.queueDeadLetterQueue, maxReceiveCount: CHECKS_RECEIVES },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const room = props.room ?? this;
    const stream = workerNamed('ChecksStream');
    this.stream = workerFunction(room, 'ChecksStream', stream, {
      logsIn: this,
      environment: { [TABLE_NAME_ENV]: props.table.tableName, [CHECKS_QUEUE_ENV]: this.queue.queueUrl, ...props.environment },
      environmentKey: props.key,
    });
    // Gives up an expired submission: reads the session, writes the verdict, its report and events.
    this.stream.role.addToPolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], resources: [props.table.tableArn] }),
    );
    this.stream.role.addToPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [props.key.keyArn],
      }),
    );
    // Sending to the encrypted queue: sqs:SendMessage (SendMessageBatch is authorized by it) and the key, granted above.
    this.stream.role.addToPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));

    this.worker = workerFunction(room, 'ChecksWorker', workerNamed('ChecksWorker'), {
      logsIn: this,
      environment: { [TABLE_NAME_ENV]: props.table.tableName, ...liveChecksEnvironment(props.liveChecks), ...props.environment },
      environmentKey: props.key,
    });
    // Reads the session and its submission; writes the verdict, its report and events; removes the submission.
    this.worker.role.addToPolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], resources: [props.table.tableArn] }),
    );
    // Finds the blocklist entries a verified document matches, and the other sessions verified with it (duplicates): Query only, only on
    // the match items' partitions (`iblm_…`) and the verified documents' (`ivd_…`).
    this.worker.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [props.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': objectPartitionPatterns([BLOCKLIST_MATCH_PREFIX, VERIFIED_DOCUMENT_PREFIX]),
          },
        },
      }),
    );
    // kms:Decrypt also lets Textract and Rekognition read the SSE-KMS uploads, which they fetch as this role.
    this.worker.role.addToPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [props.key.keyArn],
      }),
    );
    // The live checks: exactly these four calls, which IAM cannot narrow to a resource.
    const liveChecks = new Policy(room, 'LiveChecksPolicy', {
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
        'textract:AnalyzeID, textract:DetectDocumentText, rekognition:DetectFaces and rekognition:CompareFaces define no resource types, ' +
        'so IAM accepts only "*" for them ' +
        '(Service Authorization Reference: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazontextract.html ' +
        'and ' +
        'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrekognition.html). The images they read are ' +
        "limited by this role's s3:GetObject on the upload prefix alone.",
    });
    // The images: read under the upload prefix (Textract and Rekognition fetch them as this role).
    props.uploads.grantRead(this.worker);
    // Selfie blocklist entries: SearchFacesByImage on the stack's face collections only, never an index or a delete.
    if (props.faceCollectionPrefix) grantFaces(this.worker, props.faceCollectionPrefix, ['SearchFacesByImage']);
    const idNumberProvider = props.liveChecks?.idNumberProviderFunctionArn;
    if (idNumberProvider) {
      this.worker.role.addToPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [idNumberProvider] }));
    }
    // Receiving from the encrypted queue (the event source mapping receives and deletes as this role).
    consumeQueue(this.worker, this.queue, {
      // One job per invocation: one submission's slow checks hold only their own.
      batchSize: 1,
      ...(props.workerConcurrency ? { maxConcurrency: Math.max(2, props.workerConcurrency) } : {}),
      failuresGoWhere:
        "An SQS event source mapping's failed messages return to their queue; the queue's redrive policy moves a job to its own " +
        'encrypted dead-letter queue (with an alarm) after 5 receives.',
    });
    this.deadLetterQueue = deadLetterQueue(this, 'ChecksDeadLetters', 'the checks stream', props.key);
    this.stream.function.addEventSource(
      tableStreamSource(props.table, { ...streamOf(stream), deadLetterQueue: this.deadLetterQueue, key: props.key }),
    );
  }
}
