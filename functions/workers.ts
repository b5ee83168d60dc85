/**
 * The workers table: every function no route calls, the module that runs it, and what starts it,
 * as the route table (routes.ts) is for endpoints. The CDK stack builds each one's Lambda and
 * trigger from it (lib/events.ts, lib/verification.ts, lib/redaction.ts, lib/webhooks.ts, in the
 * workers' room); the local runtime (local/runtime.ts) runs the same modules from it, fed by
 * DynamoDB Local's stream, a local queue or a timer. The evaluation canary, an opt-in run on an
 * adopter's own samples in AWS only, is lib/canary.ts's.
 */
import { BLOCKLIST_CHECK_KIND } from './store/blocklist-checks';
import { EVENT_KIND } from './store/event-items';
import { REDACTION_JOB_KIND, REDACTION_PROGRESS_KIND } from './store/redaction-jobs';
import { SUBMISSION_KIND } from './store/submissions';
import { SESSION_KIND } from './store/sessions';

/** Stream records of one kind of item (its sort key) with one event name: one filter of the event source mapping. */
export interface StreamRecords {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  kind: string;
}

export type WorkerTrigger =
  /** The table's stream, filtered to `records` (lib/events.ts `tableStreamSource`). */
  | { stream: { records: StreamRecords[]; batchSize: number; parallelizationFactor?: number } }
  /** The checks queue, an SQS fair queue (lib/verification.ts). */
  | { queue: 'checks' }
  /**
   * An EventBridge schedule, every this many minutes; `handedOff`: new work also reaches it at once
   * through an SQS queue of its own (the webhook hand-off, functions/webhooks/hand-off.ts).
   */
  | { everyMinutes: number; handedOff?: true };

export interface Worker {
  /** Stable name: the construct's id in lib/ (and so its logical ids). */
  name:
    | 'Publisher'
    | 'ChecksStream'
    | 'ChecksWorker'
    | 'RedactionWorker'
    | 'RedactionBackstop'
    | 'WebhookWorker'
    | 'ReviewWatch'
    | 'FunnelCounter'
    | 'BlocklistCheck';
  /** Module under functions/ exporting `handler` (Lambda's entry point). */
  handler: string;
  /** The Lambda function's description: what it does, in a line. */
  description: string;
  timeoutSeconds: number;
  trigger: WorkerTrigger;
  /**
   * How `npm start` runs it: fed by the stream poller with its checkpoints in this file of the data
   * folder; by the local checks queue, which hands each job to the module's export `job`; or every
   * `everyMs` milliseconds, calling the module's export `run` (with an AbortSignal at stop) or `handler`.
   */
  local: { checkpoints: string } | { job: string } | { everyMs: number; run?: string; atStart?: true };
  /** Part of publishing events (the publisher and webhook deliveries): the local runtime leaves it out when told not to publish. */
  publishes?: true;
}

export const workers: Worker[] = [
  {
    name: 'Publisher',
    handler: 'streams/publish-events',
    description: 'Verity outbox publisher: table stream to EventBridge',
    timeoutSeconds: 60,
    trigger: { stream: { records: [{ eventName: 'INSERT', kind: EVENT_KIND }], batchSize: 100 } },
    local: { checkpoints: 'stream-checkpoints.json' },
    publishes: true,
  },
  {
    name: 'ChecksStream',
    handler: 'streams/run-verification-checks',
    description: 'Verity checks stream: queues the checks of each new submission, gives up those never concluded',
    // Queues a batch or concludes expired submissions: a few writes each, never a check or a delay.
    timeoutSeconds: 30,
    trigger: {
      stream: {
        // New submissions, and those TTL removes because nothing concluded them.
        records: [
          { eventName: 'INSERT', kind: SUBMISSION_KIND },
          { eventName: 'REMOVE', kind: SUBMISSION_KIND },
        ],
        batchSize: 10,
        // Queuing is quick; shards are still read in parallel so a slow write holds up few others.
        parallelizationFactor: 10,
      },
    },
    local: { checkpoints: 'checks-stream-checkpoints.json' },
  },
  {
    name: 'ChecksWorker',
    handler: 'checks/checks-runner',
    description: 'Verity checks worker: runs the checks of each submission and concludes its session',
    // Textract, Rekognition and the ID-number provider, with their retries, for one submission.
    timeoutSeconds: 60,
    trigger: { queue: 'checks' },
    local: { job: 'runChecksJob' },
  },
  {
    name: 'RedactionWorker',
    handler: 'streams/redact-sessions',
    description: 'Verity redaction worker: forgets a session when TTL deletes its redaction job',
    // A run stops a minute before this, whatever the session holds (streams/redact-sessions.ts).
    timeoutSeconds: 300,
    trigger: {
      stream: {
        // Removed job items start a redaction, new progress continues one. Whether a removal was
        // TTL's (its userIdentity) is checked in code: Lambda documents filtering on the record's
        // `dynamodb` key only.
        records: [
          { eventName: 'REMOVE', kind: REDACTION_JOB_KIND },
          { eventName: 'INSERT', kind: REDACTION_PROGRESS_KIND },
          { eventName: 'MODIFY', kind: REDACTION_PROGRESS_KIND },
        ],
        batchSize: 10,
        // A shard's records of different sessions go to up to 10 invocations at once (one
        // session's stay in order), so a long redaction does not hold up the others in its shard.
        parallelizationFactor: 10,
      },
    },
    local: { checkpoints: 'redaction-stream-checkpoints.json' },
  },
  {
    name: 'RedactionBackstop',
    handler: 'schedules/redact-overdue-sessions',
    description: 'Verity redaction backstop: redacts sessions whose TTL-driven job is overdue',
    timeoutSeconds: 900,
    // For the jobs TTL is late with (it deletes "typically within two days").
    trigger: { everyMinutes: 6 * 60 },
    local: { everyMs: 10 * 60 * 1000, atStart: true },
  },
  {
    name: 'WebhookWorker',
    handler: 'webhooks/delivery-worker',
    description: 'Verity webhook delivery worker: signs and sends the deliveries that are due',
    // A run starts attempts for 120 s, each within 10 s, then waits for those in flight: about 130 s.
    timeoutSeconds: 240,
    trigger: { everyMinutes: 1, handedOff: true },
    local: { everyMs: 1000, run: 'deliverDueWebhooks' },
    publishes: true,
  },
  {
    name: 'ReviewWatch',
    handler: 'schedules/watch-review-queue',
    description: 'Verity review watch: counts the verdicts held for review longer than the alarm allows',
    timeoutSeconds: 60,
    trigger: { everyMinutes: 5 },
    local: { everyMs: 5 * 60 * 1000 },
  },
  {
    name: 'FunnelCounter',
    handler: 'streams/count-funnel',
    description: "Verity funnel counter: counts each session's funnel stages and error codes from the table stream",
    // A few small transactions per record.
    timeoutSeconds: 30,
    trigger: {
      stream: {
        // New sessions and every change of one; the counter keeps only the first arrival at each stage.
        records: [
          { eventName: 'INSERT', kind: SESSION_KIND },
          { eventName: 'MODIFY', kind: SESSION_KIND },
        ],
        batchSize: 100,
      },
    },
    local: { checkpoints: 'funnel-stream-checkpoints.json' },
  },
  {
    name: 'BlocklistCheck',
    handler: 'streams/check-existing-verifications',
    description: 'Verity blocklist check: unverifies the verified sessions a new entry matches, a page per run',
    // A page of at most 100 sessions, each a read or two, a face search (a selfie entry) and a transaction.
    timeoutSeconds: 120,
    trigger: {
      stream: {
        // A job written with its entry starts it; each page's saved cursor continues it.
        records: [
          { eventName: 'INSERT', kind: BLOCKLIST_CHECK_KIND },
          { eventName: 'MODIFY', kind: BLOCKLIST_CHECK_KIND },
        ],
        batchSize: 10,
      },
    },
    local: { checkpoints: 'blocklist-check-stream-checkpoints.json' },
  },
];

/** The worker of that name. */
export function workerNamed(name: Worker['name']): Worker {
  return workers.find((worker) => worker.name === name)!;
}
