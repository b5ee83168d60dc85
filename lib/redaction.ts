/**
 * Redaction in AWS: the worker, started by the table's stream when DynamoDB's TTL deletes a
 * redaction job item and continued by it whenever a bounded run saves its progress, and the backstop, run every six hours by an EventBridge
 * rule, for the jobs
 * TTL is late with (it deletes "typically within two days").
 */
import { Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { workerNamed } from '../functions/workers';
import { TABLE_NAME_ENV, tableSchema } from '../functions/store/schema';
import { indexArns, indexReadsEnvironment } from './index-migration';
import { deadLetterQueue, scheduleOf, streamOf, tableStreamSource, workerFunction } from './events';
import { grantFaces } from './faces';
import type { VerityUploads } from './uploads';
import type { VerityFunction } from './verity-function';

export interface VerityRedactionProps {
  table: Table;
  key: Key;
  /** Days after which verified and canceled sessions are redacted; undefined: never. */
  retentionDays?: number;
  /** The uploads bucket, whose objects of a session redaction deletes (every version). */
  uploads?: VerityUploads;
  /** The prefix of the stack's face collections (lib/faces.ts): redaction deletes a selfie entry's face from them. */
  faceCollectionPrefix?: string;
  /**
   * Where its functions and their triggers are built (a room's nested stack, lib/rooms.ts); its queues and log groups stay here. @default
   * this construct
   */
  room?: Construct;
}

export class VerityRedaction extends Construct {
  readonly worker: VerityFunction;
  readonly backstop: VerityFunction;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: VerityRedactionProps) {
    super(scope, id);
    const environment = {
      [TABLE_NAME_ENV]: props.table.tableName,
      ...retentionEnvironment(props.retentionDays),
      ...indexReadsEnvironment(this),
    };
    const room = props.room ?? this;
    const worker = workerNamed('RedactionWorker');
    const backstop = workerNamed('RedactionBackstop');
    this.worker = workerFunction(room, 'Worker', worker, { logsIn: this, environment, environmentKey: props.key });
    this.backstop = workerFunction(room, 'Backstop', backstop, { logsIn: this, environment, environmentKey: props.key });
    for (const fn of [this.worker, this.backstop]) {
      grantRedaction(fn, props, fn === this.backstop);
      props.uploads?.grantRedaction(fn);
      if (props.faceCollectionPrefix) grantFaces(fn, props.faceCollectionPrefix, ['DeleteFaces']);
    }

    this.deadLetterQueue = deadLetterQueue(this, 'WorkerDeadLetters', 'the redaction worker', props.key);
    this.worker.function.addEventSource(
      // Removed job items start a redaction, new progress continues one. Whether a removal was
      // TTL's (its userIdentity) is checked in code: Lambda documents filtering on the record's
      // `dynamodb` key only.
      tableStreamSource(props.table, { ...streamOf(worker), deadLetterQueue: this.deadLetterQueue, key: props.key }),
    );
    const schedule = new Rule(room, 'BackstopSchedule', {
      description: 'Runs the Verity redaction backstop',
      schedule: Schedule.rate(scheduleOf(backstop)),
      targets: [new LambdaFunction(this.backstop.function, { retryAttempts: 2 })],
    });
    Validations.of(schedule).acknowledge({
      id: 'Serverless::Serverless-EventBusDLQ',
      reason:
        'A scheduled event carries no data to keep: a run that cannot be delivered is simply the next run, six hours later, and the ' +
        'function alarms on errors.',
    });
  }
}

/** What the functions that plan redactions read: set on every function that changes sessions. */
export function retentionEnvironment(retentionDays: number | undefined): Record<string, string> {
  return retentionDays ? { VERITY_RETENTION_DAYS: String(retentionDays) } : {};
}

/**
 * The table actions redaction needs: reads the session and its progress, rewrites reports (put),
 * replaces events' copies and empties saved responses (update), deletes files, the job and the
 * progress, and writes the session's conclusion in a transaction (whose items need these too).
 * Tested against the calls a redaction really makes (test/integration/streams/redact-sessions.test.ts).
 */
export const REDACTION_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  // The copies' index is lean (functions/store/schema.ts): the job fetches the items it found.
  'dynamodb:BatchGetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

function grantRedaction(fn: VerityFunction, props: VerityRedactionProps, backstop: boolean): void {
  const { table, key } = props;
  const indexes = [tableSchema.indexes.byVerificationSession, ...(backstop ? [tableSchema.indexes.byRedactionDue] : [])];
  fn.role.addToPolicy(
    new PolicyStatement({
      actions: REDACTION_TABLE_ACTIONS,
      resources: [table.tableArn],
    }),
  );
  fn.role.addToPolicy(
    new PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: indexArns(
        fn,
        table.tableArn,
        indexes.map((index) => index.name),
      ),
    }),
  );
  fn.role.addToPolicy(
    new PolicyStatement({ actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }),
  );
}
