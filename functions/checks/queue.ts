/**
 * The checks queue: where the checks stream hands each new submission, so that no stream shard
 * (shared by every account and mode) ever waits for checks. A job is the submission's key only:
 * no personal data travels through the queue. The checks runner (functions/checks/checks-runner.ts)
 * takes each job when its delay has passed.
 *
 * - In AWS: an SQS fair queue (a standard queue whose messages carry the account as
 *   `MessageGroupId`: SQS hands other accounts' messages out first while one account has a backlog
 *   or messages in flight, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-fair-queues.html),
 *   with the test delay as the message's `DelaySeconds` (0-900): a delay is a time in the queue,
 *   not a sleep.
 * - Locally (`npm start`, tests): an in-process pool (local/checks-queue.ts) with the same
 *   fairness, registered with `useChecksQueue`.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Scope } from '../domain/scope';

/** The queue's URL, in AWS (lib/verification.ts sets it). */
export const CHECKS_QUEUE_ENV = 'VERITY_CHECKS_QUEUE_URL';
/** The longest delay SQS allows a message (seconds). */
const MAX_SQS_DELAY_SECONDS = 900;
/** Entries in one SendMessageBatch at most (SQS's limit). */
const SQS_BATCH = 10;

/** A submission whose checks are to run. */
export interface ChecksJob {
  scope: Scope;
  /** The submission's id (`vsub_…`). */
  submission: string;
}

export interface ChecksQueue {
  /** Queues each job to be run once `delaySeconds` (0 or more) have passed. Throws if any was not queued. */
  send(jobs: { job: ChecksJob; delaySeconds: number }[]): Promise<void>;
}

let registered: ChecksQueue | undefined;
let sqs: { url: string; queue: ChecksQueue } | undefined;

/** Where a local queue registers itself (the local runtime, tests); `undefined` forgets it. */
export function useChecksQueue(queue: ChecksQueue | undefined): void {
  registered = queue;
}

/** The SQS queue when `VERITY_CHECKS_QUEUE_URL` is set, else the registered local one. */
export function checksQueue(): ChecksQueue {
  const url = process.env[CHECKS_QUEUE_ENV];
  if (url) {
    if (sqs?.url !== url) sqs = { url, queue: sqsChecksQueue(new SQSClient({}), url) };
    return sqs.queue;
  }
  if (!registered) throw new Error(`No checks queue: set ${CHECKS_QUEUE_ENV}, or register a local one (useChecksQueue).`);
  return registered;
}

/** The job's message body (JSON): its scope and submission id, nothing personal. */
export const jobBody = (job: ChecksJob) => JSON.stringify({ account: job.scope.account, mode: job.scope.mode, submission: job.submission });

/** A job from a message body; undefined for anything else. */
export function jobOfBody(body: string): ChecksJob | undefined {
  try {
    const { account, mode, submission } = JSON.parse(body) as Record<string, unknown>;
    if (typeof account !== 'string' || (mode !== 'test' && mode !== 'live') || typeof submission !== 'string') return undefined;
    return { scope: { account, mode }, submission };
  } catch {
    return undefined;
  }
}

/** The SQS adapter: SendMessageBatch, ten at a time, each job's account as its message group. */
export function sqsChecksQueue(client: SQSClient, url: string): ChecksQueue {
  return {
    async send(jobs) {
      for (let start = 0; start < jobs.length; start += SQS_BATCH) {
        const batch = jobs.slice(start, start + SQS_BATCH);
        const { Failed = [] } = await client.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: batch.map(({ job, delaySeconds }, i) => ({
              Id: String(i),
              MessageBody: jobBody(job),
              MessageGroupId: job.scope.account,
              DelaySeconds: Math.min(Math.max(0, Math.ceil(delaySeconds)), MAX_SQS_DELAY_SECONDS),
            })),
          }),
        );
        // The stream hands the whole batch over again; a job queued twice concludes once (the session moves on).
        if (Failed.length > 0) throw new Error(`The checks queue refused ${Failed.length} of ${batch.length} jobs (${Failed[0]!.Code}).`);
      }
    },
  };
}
