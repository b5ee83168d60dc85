/**
 * Verifying in AWS: the checks worker, fed by the table's stream with each new submission (the
 * same outbox as events: the submission is written with the move to `processing`, so it cannot
 * be lost), with retries, bisection and a dead-letter queue of its own.
 */
import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SUBMISSION_KIND } from '../functions/store/submissions';
import { deadLetterQueue, tableStreamSource } from './events';
import { VerityFunction } from './verity-function';

export class VerityVerification extends Construct {
  readonly worker: VerityFunction;
  /** Submissions whose checks failed on every retry. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: { table: Table; key: Key; environment?: Record<string, string> }) {
    super(scope, id);
    this.worker = new VerityFunction(this, 'ChecksWorker', {
      handlerModule: 'streams/run-verification-checks',
      description: 'Verity checks worker: runs the checks of each submission and concludes its session',
      environment: { VERITY_TABLE_NAME: props.table.tableName, ...props.environment },
      environmentKey: props.key,
      // A test case may wait up to 60 s before answering; sessions in one batch wait side by side.
      timeout: Duration.seconds(90),
      invokedBy: 'stream',
    });
    // Reads the session; writes the verdict, its report and events; removes the submission.
    this.worker.role.addToPolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], resources: [props.table.tableArn] }),
    );
    this.worker.role.addToPolicy(
      new PolicyStatement({ actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [props.key.keyArn] }),
    );
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
