/**
 * The hand-off: how a delivery's first attempt starts when its event is published, not at the
 * delivery worker's next scheduled run. The outbox publisher (functions/streams/publish-events.ts)
 * hands each new delivery's key to the worker (functions/webhooks/delivery-worker.ts
 * `deliverHandedOff`) right after the fan-out has put it. A job is only a hint: the delivery is
 * already due in the `by_delivery_due` index, so a job lost, refused or run twice changes nothing
 * (the scheduled run attempts what no job did; the lease lets one attempt through).
 *
 * - In AWS: an SQS fair queue (a standard queue whose messages carry the account as
 *   `MessageGroupId`: SQS hands other accounts' messages out first while one account has a backlog
 *   or messages in flight, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-fair-queues.html),
 *   consumed by the worker through an event source mapping (lib/webhooks.ts).
 * - Locally (`npm start`, tests): an in-process fair pool (local/checks-queue.ts) registered with
 *   `useDeliveryHandOff`; with none registered and no queue URL, nothing is handed off and the
 *   schedule alone attempts.
 *
 * No personal data travels: a job is the delivery's account, mode, endpoint and event ids.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Scope } from '../domain/scope';

/** The queue's URL, in AWS (lib/webhooks.ts sets it on the publisher). */
export const WEBHOOK_QUEUE_ENV = 'VERITY_WEBHOOK_QUEUE_URL';
/** Entries in one SendMessageBatch at most (SQS's limit). */
const SQS_BATCH = 10;

/** A delivery just made, whose first attempt may start now. */
export interface DeliveryJob {
  scope: Scope;
  /** The endpoint (`we_…`). */
  endpointId: string;
  /** The event (`evt_…`). */
  eventId: string;
}

export interface DeliveryHandOff {
  /** Hands the jobs to the worker. Throws if any was not handed (the schedule attempts those). */
  send(jobs: DeliveryJob[]): Promise<void>;
}

let registered: DeliveryHandOff | undefined;
let sqs: { url: string; handOff: DeliveryHandOff } | undefined;

/** Where a local hand-off registers itself (the local runtime, tests); `undefined` forgets it. */
export function useDeliveryHandOff(handOff: DeliveryHandOff | undefined): void {
  registered = handOff;
}

/** The SQS queue when `VERITY_WEBHOOK_QUEUE_URL` is set, else the registered local one, else none. */
export function deliveryHandOff(): DeliveryHandOff | undefined {
  const url = process.env[WEBHOOK_QUEUE_ENV];
  if (url) {
    if (sqs?.url !== url) sqs = { url, handOff: sqsDeliveryHandOff(new SQSClient({}), url) };
    return sqs.handOff;
  }
  return registered;
}

/** A job's message body (JSON): ids only. */
export const deliveryJobBody = (job: DeliveryJob) =>
  JSON.stringify({ account: job.scope.account, mode: job.scope.mode, endpoint: job.endpointId, event: job.eventId });

/** A job from a message body; undefined for anything else. */
export function deliveryJobOfBody(body: string): DeliveryJob | undefined {
  try {
    const { account, mode, endpoint, event } = JSON.parse(body) as Record<string, unknown>;
    if (typeof account !== 'string' || (mode !== 'test' && mode !== 'live') || typeof endpoint !== 'string' || typeof event !== 'string') {
      return undefined;
    }
    return { scope: { account, mode }, endpointId: endpoint, eventId: event };
  } catch {
    return undefined;
  }
}

/** The SQS adapter: SendMessageBatch, ten at a time, each job's account as its message group. */
export function sqsDeliveryHandOff(client: SQSClient, url: string): DeliveryHandOff {
  return {
    async send(jobs) {
      let refused = 0;
      for (let start = 0; start < jobs.length; start += SQS_BATCH) {
        const batch = jobs.slice(start, start + SQS_BATCH);
        const { Failed = [] } = await client.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: batch.map((job, i) => ({ Id: String(i), MessageBody: deliveryJobBody(job), MessageGroupId: job.scope.account })),
          }),
        );
        refused += Failed.length;
      }
      if (refused > 0) throw new Error(`The webhook queue refused ${refused} of ${jobs.length} deliveries.`);
    },
  };
}
