/**
 * The funnel counter in AWS (functions/streams/count-funnel.ts): a stream consumer of the table's
 * session records, whose role may only UpdateItem the funnel's counter and marker partitions
 * (`dynamodb:LeadingKeys`): it reads nothing (the record carries the session) and opens no key.
 */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { funnelCountPartitionPrefix, funnelMarkPartitionPrefix } from '../functions/store/funnel-counts';
import { TABLE_NAME_ENV } from '../functions/store/schema';
import { workerNamed } from '../functions/workers';
import { deadLetterQueue, streamOf, tableStreamSource, workerFunction } from './events';
import type { VerityFunction } from './verity-function';

export class VerityFunnel extends Construct {
  readonly counter: VerityFunction;
  /** Stream records the counter could not count after every retry. */
  readonly deadLetterQueue: Queue;

  constructor(
    scope: Construct,
    id: string,
    props: { table: Table; key: Key /** Where the function is built (lib/rooms.ts). */; room?: Construct },
  ) {
    super(scope, id);
    const worker = workerNamed('FunnelCounter');
    this.counter = workerFunction(props.room ?? this, 'Counter', worker, {
      logsIn: this,
      environment: { [TABLE_NAME_ENV]: props.table.tableName },
      environmentKey: props.key,
    });
    // A count is a transaction of two updates: the marker (if absent) and the counter's ADD.
    this.counter.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${funnelCountPartitionPrefix}*`, `${funnelMarkPartitionPrefix}*`] },
        },
      }),
    );
    this.deadLetterQueue = deadLetterQueue(this, 'CounterDeadLetters', 'the funnel counter', props.key);
    this.counter.function.addEventSource(
      tableStreamSource(props.table, { ...streamOf(worker), deadLetterQueue: this.deadLetterQueue, key: props.key }),
    );
  }
}
