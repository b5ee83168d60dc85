/**
 * The blocklist check worker: runs the job of a BlocklistEntry created with
 * `check_existing_verifications=true` (functions/flows/blocklist-check.ts) a page per run. The job's
 * item is written with the entry (an INSERT: the first page) and again after each page (a MODIFY:
 * the next), so the table's stream drives it to its end; a record handed over twice finds the job
 * past its step and does nothing. A failed page is reported (`batchItemFailures`) and run again from
 * the same saved cursor. It logs counts and ids only, never a record.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { runBlocklistCheck } from '../flows/blocklist-check';
import { checkOfItem } from '../store/blocklist-checks';
import { settleRecords } from './batch';

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const due = event.Records.flatMap((record) => {
    const job = jobOf(record);
    return job && record.dynamodb?.SequenceNumber ? [{ ...job, sequenceNumber: record.dynamodb.SequenceNumber }] : [];
  });
  return settleRecords(
    due,
    async (job) => {
      const { result, unverified } = await runBlocklistCheck(job.scope, job.entry, job.step);
      if (result !== 'overtaken')
        console.log(JSON.stringify({ level: 'info', message: 'blocklist check', entry: job.entry, result, unverified }));
    },
    'blocklist check failed',
  );
}

/** The job and step a new image of a job item asks to run. */
function jobOf(record: DynamoDBRecord) {
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') return undefined;
  const image = record.dynamodb?.NewImage;
  return image ? checkOfItem(unmarshall(image as Parameters<typeof unmarshall>[0])) : undefined;
}
