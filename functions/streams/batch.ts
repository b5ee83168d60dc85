/** What the stream consumers that act per record share: one record's failure is reported, not fatal. */
import type { DynamoDBBatchResponse } from 'aws-lambda';

/**
 * Runs every record's work side by side (independent sessions do not wait for each other) and
 * reports the records whose work failed, so the stream hands them over again. Logs only what
 * failed, never the record: it may hold personal data.
 */
export async function settleRecords<T extends { sequenceNumber: string }>(
  records: T[],
  work: (record: T) => Promise<unknown>,
  failureMessage: string,
): Promise<DynamoDBBatchResponse> {
  const results = await Promise.allSettled(records.map(work));
  const failed = records.filter((_, i) => {
    const result = results[i]!;
    if (result.status === 'fulfilled') return false;
    const error = result.reason as Error;
    console.error(JSON.stringify({ level: 'error', message: failureMessage, name: error.name, detail: error.message }));
    return true;
  });
  return { batchItemFailures: failed.map(({ sequenceNumber }) => ({ itemIdentifier: sequenceNumber })) };
}
