/**
 * The funnel counter: reads each new or changed session from the table's stream and counts the funnel
 * stages and error codes the change reaches for the first time (domain/funnel.ts) in the funnel's
 * sharded counters (store/funnel-counts.ts). Only the session's clear part is read: no key, nothing
 * personal. Each count is made once however often the stream hands the record over (a marker per
 * session and stage, in the count's own transaction); a record whose counts failed is handed over again.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { funnelDay, funnelSteps } from '../domain/funnel';
import type { VerificationSession } from '../domain/verification-session-types';
import { countFunnelStep, FUNNEL_DAYS } from '../store/funnel-counts';
import { clearSessionOfItem, SESSION_KIND } from '../store/sessions';
import { cancellationReasons } from '../store/transaction-items';

/** Sessions created longer ago than this (seconds) count nowhere: their day has left the console's window. */
const COUNTED_FOR_SECONDS = (FUNNEL_DAYS + 1) * 24 * 60 * 60;

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const now = Math.floor(Date.now() / 1000);
  // In order, one record at a time: a batch's records share a few counter items, and transactions on the same item at once would
  // cancel each other. The first failure stops the batch; Lambda hands it over again from that record (the earlier ones are counted).
  for (const record of event.Records) {
    const change = sessionChange(record);
    if (!change || change.after.created <= now - COUNTED_FOR_SECONDS) continue;
    try {
      await countChange(change);
    } catch (error) {
      console.error(JSON.stringify({ level: 'error', message: 'funnel count failed', name: (error as Error).name }));
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber! }] };
    }
  }
  return { batchItemFailures: [] };
}

/** How often a count that collided with another consumer's transaction on the same counter is tried again. */
const ATTEMPTS = 3;

async function countChange({ before, after }: { before?: VerificationSession; after: VerificationSession }): Promise<void> {
  const scope = { account: after.account, mode: after.mode };
  for (const step of funnelSteps(before, after)) {
    for (let attempt = 1; ; attempt++) {
      try {
        await countFunnelStep(scope, after.id, funnelDay(after.created), after.created, step);
        break;
      } catch (error) {
        if (attempt === ATTEMPTS || !cancellationReasons(error)?.some((reason) => reason.code === 'TransactionConflict')) throw error;
        await new Promise((done) => setTimeout(done, Math.random() * 20 * attempt));
      }
    }
  }
}

/** A session inserted or changed: its clear part before (none when new) and after. */
function sessionChange(record: DynamoDBRecord): { before?: VerificationSession; after: VerificationSession } | undefined {
  const images = record.dynamodb;
  if (!images?.SequenceNumber || !images.NewImage || (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY')) return undefined;
  const read = (image: NonNullable<typeof images.NewImage>) => unmarshall(image as Parameters<typeof unmarshall>[0]);
  const after = read(images.NewImage);
  if (after.sk !== SESSION_KIND) return undefined;
  return {
    before: images.OldImage ? clearSessionOfItem(read(images.OldImage)) : undefined,
    after: clearSessionOfItem(after),
  };
}
