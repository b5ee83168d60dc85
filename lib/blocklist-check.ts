/**
 * The blocklist check worker in AWS (functions/streams/check-existing-verifications.ts): a stream
 * consumer of the job items that BlocklistEntries created with `check_existing_verifications=true`
 * write. Its role may do exactly what one page does: read the job, its entry, sessions, reports and
 * selfie files; change a session as the console's status override does (the session, its report,
 * its events, the audit record, the verified document's item); save or delete the job, releasing the
 * scope's running-check item; Query a document's verified documents partition, a selfie digest's
 * match partition and the by-status index; open session keys; and, with face collections, search them and read the uploaded selfies.
 */
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BLOCKLIST_CHECK_RUNNING_PREFIX } from '../functions/store/blocklist-checks';
import { TABLE_NAME_ENV, tableSchema } from '../functions/store/schema';
import { workerNamed } from '../functions/workers';
import { objectPartitionPatterns } from './api';
import { deadLetterQueue, streamOf, tableStreamSource, workerFunction } from './events';
import { grantFaces } from './faces';
import type { VerityUploads } from './uploads';
import type { VerityFunction } from './verity-function';

export class VerityBlocklistCheck extends Construct {
  readonly worker: VerityFunction;
  /** Stream records whose page failed on every retry. */
  readonly deadLetterQueue: Queue;

  constructor(
    scope: Construct,
    id: string,
    props: {
      table: Table;
      key: Key;
      uploads: VerityUploads;
      /** The prefix of the stack's face collections (lib/faces.ts): a selfie entry's check searches them. */
      faceCollectionPrefix?: string;
      /** Settings of the functions that change sessions (retention). */
      environment?: Record<string, string>;
      /** Where the function is built (lib/rooms.ts). */
      room?: Construct;
    },
  ) {
    super(scope, id);
    const worker = workerNamed('BlocklistCheck');
    this.worker = workerFunction(props.room ?? this, 'Worker', worker, {
      logsIn: this,
      environment: { [TABLE_NAME_ENV]: props.table.tableName, ...props.environment },
      environmentKey: props.key,
    });
    const { table } = props;
    const keyed = (actions: string[], kinds: string[]) =>
      new PolicyStatement({
        actions: actions.map((action) => `dynamodb:${action}`),
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': objectPartitionPatterns(kinds) } },
      });
    // The job and its entry (`ible_…`), sessions, reports, events, audit records: read and written.
    this.worker.role.addToPolicy(keyed(['GetItem', 'PutItem'], ['ible', 'vs', 'vr', 'evt', 'cae']));
    // Selfie files: read only (the content-hash stand-in reads their bytes).
    this.worker.role.addToPolicy(keyed(['GetItem'], ['file']));
    // The finished or stopped job and the scope's running check it held; the verified document's item an un-verified session loses.
    this.worker.role.addToPolicy(keyed(['DeleteItem'], ['ible', 'ivd', BLOCKLIST_CHECK_RUNNING_PREFIX]));
    // A document's verified sessions; a selfie's matching entries (the stand-in's match items).
    this.worker.role.addToPolicy(keyed(['Query'], ['ivd', 'iblm']));
    // A selfie entry walks the verified sessions of its scope.
    this.worker.role.addToPolicy(
      new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${tableSchema.indexes.byStatus.name}`] }),
    );
    this.worker.role.addToPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [props.key.keyArn],
      }),
    );
    // A selfie entry's check reads each selfie: its bytes (the stand-in), or Rekognition fetches it as this role.
    props.uploads.grantRead(this.worker);
    // Searching only, never an index or a delete.
    if (props.faceCollectionPrefix) grantFaces(this.worker, props.faceCollectionPrefix, ['SearchFacesByImage']);
    this.deadLetterQueue = deadLetterQueue(this, 'WorkerDeadLetters', 'the blocklist check worker', props.key);
    this.worker.function.addEventSource(
      tableStreamSource(table, { ...streamOf(worker), deadLetterQueue: this.deadLetterQueue, key: props.key }),
    );
  }
}
