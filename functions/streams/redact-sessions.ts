/**
 * The redaction worker: starts a session's redaction when DynamoDB's TTL deletes its job item.
 * Only a deletion by the TTL service counts (a `REMOVE` whose `userIdentity` is DynamoDB itself);
 * the event source mapping filters on the item's kind as well, but this check is the one that
 * cannot silently match nothing.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { redactSession } from '../redaction';
import { jobOfItem } from '../store/redaction-jobs';
import { settleRecords } from './batch';
import { isTtlDeletion } from './ttl-deletion';

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const due = event.Records.flatMap((record) => {
    const image = record.dynamodb?.OldImage;
    if (!isTtlDeletion(record) || !image || !record.dynamodb?.SequenceNumber) return [];
    const job = jobOfItem(unmarshall(image as Parameters<typeof unmarshall>[0]));
    return job ? [{ ...job, sequenceNumber: record.dynamodb.SequenceNumber }] : [];
  });
  return settleRecords(due, (job) => redactSession(job.scope, job.session), 'redaction failed');
}
