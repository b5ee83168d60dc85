/**
 * The redaction job: forgets a session's personal data everywhere Verity keeps a copy, then marks
 * it redacted and emits `identity.verification_session.redacted`. Run by the redaction worker
 * when DynamoDB's TTL deletes the session's job item, and by the backstop for jobs TTL is late
 * with.
 *
 * One run does a bounded amount of work: it reads the session's copies a page at a time, kind by
 * kind, and stops once it has read its budget of copies or near its deadline. It then saves how far it got (a
 * progress item) and that write hands the rest to the next run: the stream delivers the new
 * progress to the worker. Every step can run again: a redelivered or repeated run starts from the
 * last saved progress and skips the copies already redacted, and the session itself is written
 * only once every copy is done.
 */
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { redactedEventCopy, redactedReport, redactedSession } from '../domain/redaction';
import { redactVerificationSession } from '../domain/verification-session';
import type { Scope } from '../domain/scope';
import { changeWithEvents } from './outbox';
import { dynamo, setAttributesUnlessConditionFails, untilProcessed, writeUnlessConditionFails, type StoredItem } from '../store/client';
import { EVENT_KIND } from '../store/event-items';
import { CAPTURE_NONCE_COUNT_KIND } from '../store/capture-nonces';
import { fileStore, UPLOAD_COUNT_KIND } from '../store/files';
import { forgetSavedResponse, holdsSavedBody, IDEMPOTENCY_KIND } from '../store/idempotency';
import { redactedBlocklistEntry, type BlocklistEntry } from '../domain/blocklist-entry';
import { BLOCKLIST_ENTRY_KIND, getBlocklistEntry, replaceBlocklistEntry } from '../store/blocklist-entries';
import type { IndexedFace } from '../domain/face-index';
import { removeIndexedFace } from '../store/rekognition-faces';
import {
  deleteRedactionProgress,
  getRedactionProgress,
  NO_PROGRESS,
  redactionJobKey,
  redactionProgressKey,
  saveRedactionProgress,
  type RedactionProgress,
} from '../store/redaction-jobs';
import type { PartitionCursor } from '../store/partition';
import { tableName } from '../store/schema';
import { pageOfCopies } from '../store/session-copies';
import { destroySessionKey, sealedName } from '../store/session-keys';
import { changeSession, getSession } from '../store/sessions';
import { FILE_INFO_KIND, FILE_KIND } from '../store/submissions';
import { deleteItem } from '../store/transaction-items';
import { REPORT_KIND, reportItem } from '../store/verification-reports';
import { VERIFIED_DOCUMENT_KIND } from '../store/verified-documents';

/**
 * - `redacted`: this run finished the redaction;
 * - `continued`: it spent its budget, saved its progress, and the next run carries on;
 * - `already_redacted`, `missing`: nothing to do;
 * - `overtaken`: another run got further first (a redelivered or duplicate run), nothing more to do;
 * - `running`: another run saved progress recently, so it is left to finish (the backstop's case);
 * - `not_planned`: a retention job whose session has no plan due any more (it is being processed, or was active since).
 */
export type RedactionResult = 'redacted' | 'continued' | 'already_redacted' | 'missing' | 'overtaken' | 'running' | 'not_planned';

/** How much one run of one session's redaction may do. */
export interface RedactionBudget {
  /** Copies read per page (DynamoDB Query `Limit`). */
  pageSize: number;
  /** Copies the run may read before it saves its progress and hands over. */
  copies: number;
  /** Epoch milliseconds after which no page starts. */
  deadline: number;
}

/** Defaults, measured in docs/reference/redaction.md: well under a minute locally, seconds in AWS. */
const DEFAULT_PAGE_SIZE = 100;
const DEFAULT_COPIES_PER_RUN = 5000;
/** At most this many writes in flight at once per session: a page's writes go side by side, in groups. */
const WRITE_CONCURRENCY = 25;

/**
 * The budget of one run, ending `deadline` (epoch ms; none by default). Page size (at most 1000)
 * and copies per run come from `VERITY_REDACTION_PAGE_SIZE` and `VERITY_REDACTION_COPIES_PER_RUN`
 * (positive integers) when set, so they can be tuned without a release.
 */
export function redactionBudget(deadline = Number.POSITIVE_INFINITY): RedactionBudget {
  const setting = (name: string, fallback: number) => {
    const value = Number(process.env[name]);
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  return {
    pageSize: Math.min(setting('VERITY_REDACTION_PAGE_SIZE', DEFAULT_PAGE_SIZE), 1000),
    copies: setting('VERITY_REDACTION_COPIES_PER_RUN', DEFAULT_COPIES_PER_RUN),
    deadline,
  };
}

export interface RedactionRun {
  budget: RedactionBudget;
  /** The progress step this run was started for (a delivered progress item); another stored means it is stale. */
  step?: number;
  /** Leave the session to another run that saved progress at or after this time (epoch seconds). */
  activeSince?: number;
}

/** Marks a stored event item whose copy of the session is redacted, so no run rewrites it again. */
const REDACTED_EVENT = 'redacted';

const deleteCopies = (items: StoredItem[]) => deleteAll(items.map(({ pk, sk }) => ({ pk, sk })));

/** One step's work on a page of copies: how many it read, and where the next page starts (none: this kind is done). */
type CopiesPage = { read: number; next?: PartitionCursor };
type Copies =
  | { kind: string; redact: (items: StoredItem[], sessionId: string) => Promise<void> }
  | { kind: string; page: (scope: Scope, sessionId: string, limit: number) => Promise<CopiesPage> };

/** What each kind of copy of the session `sessionId` becomes, in the order they are worked through. */
const COPIES: Copies[] = [
  // The images in the file store (S3 in AWS), every version of each, every attempt's: deleted
  // first, up to a page at a time. A repeated page deletes what is left; none are left at the end.
  {
    kind: 'upload',
    page: async (scope, sessionId, limit) => {
      const { deleted, more } = await fileStore().deleteSessionObjects(scope, sessionId, limit);
      // A page that deleted nothing has nothing after it either: never a loop without progress.
      return { read: deleted, ...(more && deleted > 0 ? { next: { more: true } } : {}) };
    },
  },
  {
    kind: REPORT_KIND,
    redact: (items) =>
      rewriteAll(items.filter((item) => item.report?.redacted !== true).map((item) => reportItem(redactedReport(item.report)))),
  },
  {
    kind: EVENT_KIND,
    redact: (items) =>
      eachInGroups(
        items.filter((item) => item[REDACTED_EVENT] !== true),
        redactEventItem,
      ),
  },
  // Blocklist entries made from the session's reports block nothing once it is redacted: each is marked redacted and its match deleted.
  { kind: BLOCKLIST_ENTRY_KIND, redact: (items) => eachInGroups(items, redactBlocklistEntryItem) },
  // The record of its verified document (duplicate detection): no other session is flagged by it any more.
  { kind: VERIFIED_DOCUMENT_KIND, redact: deleteCopies },
  // Images are not kept in any form, nor their descriptions.
  { kind: FILE_KIND, redact: deleteCopies },
  { kind: FILE_INFO_KIND, redact: deleteCopies },
  // The attempts' presign counts: no personal data, but copies of the session all the same (TTL would take them a day later).
  { kind: UPLOAD_COUNT_KIND, redact: deleteCopies },
  // The capture nonces' counter (no TTL: its caps hold for the session's life).
  { kind: CAPTURE_NONCE_COUNT_KIND, redact: deleteCopies },
  // A saved response keeps answering its key (Stripe's promise for 24 hours), without the body: a replay shows the session as it is now.
  {
    kind: IDEMPOTENCY_KIND,
    redact: (items, sessionId) => eachInGroups(items.filter(holdsSavedBody), (item) => forgetSavedResponse(item, sessionId)),
  },
];

/**
 * One entry marked redacted with its match deleted; read again if it changed meanwhile (a disable), until it is redacted.
 * A selfie's face in a Rekognition collection is deleted first (repeatable), so a retried step still finds it named on the entry.
 */
async function redactBlocklistEntryItem(item: StoredItem): Promise<void> {
  if (item.face) await removeIndexedFace(item.face as IndexedFace);
  let current: StoredItem | undefined = item;
  for (let attempt = 0; current && current.entry.status !== 'redacted' && attempt < 5; attempt++) {
    if (await replaceBlocklistEntry(current, redactedBlocklistEntry(current.entry))) return;
    const entry = current.entry as BlocklistEntry;
    current = (await getBlocklistEntry({ account: entry.account, mode: entry.mode }, entry.id))?.item;
  }
  if (current && current.entry.status !== 'redacted')
    throw new Error('A blocklist entry kept changing while its session was being redacted.');
}

/**
 * Runs one bounded step of the session's redaction, from its last saved progress. Throws only
 * what DynamoDB throws; the caller retries (the stream redelivers, the backstop runs again).
 */
export async function redactSession(scope: Scope, sessionId: string, run: RedactionRun): Promise<RedactionResult> {
  const [stored, saved] = await Promise.all([getSession(scope, sessionId), getRedactionProgress(scope, sessionId)]);
  if (!stored) return 'missing';
  if (stored.session.redaction?.status === 'redacted') {
    // A run overtaken by the redaction's end may have saved progress after it: nothing else removes it.
    if (saved) await deleteRedactionProgress(scope, sessionId);
    return 'already_redacted';
  }
  const from = saved ?? NO_PROGRESS;
  if (run.step !== undefined && run.step !== from.step) return 'overtaken';
  if (run.activeSince !== undefined && from.step > 0 && from.saved_at >= run.activeSince) return 'running';
  // A retention job whose plan was moved on (new activity) or dropped (the session is being processed): nothing to do yet.
  const planned = stored.session.redaction_due;
  if (stored.session.redaction === null && (planned === null || planned > Math.floor(Date.now() / 1000))) return 'not_planned';
  // A job planned by the retention policy: the session is marked for redaction first, as a redact
  // call would (an abandoned session in requires_input is canceled).
  if (stored.session.redaction === null) {
    await changeSession(
      scope,
      sessionId,
      (current, now) =>
        current.redaction ? null : changeWithEvents(current, redactVerificationSession(current, now), { request: null, now }),
      undefined,
      stored,
    );
  }

  // The session's key goes first: from this moment every sealed copy of its personal values (the
  // table, its stream, its backups, a local database file) opens for no one. What follows tidies
  // the table so the API shows what redaction leaves. Every run repeats it: it changes nothing.
  await destroySessionKey(scope, sessionId);

  const { budget } = run;
  const first = COPIES.findIndex((copies) => copies.kind === from.kind);
  // Progress naming no kind this code knows (or none) starts from the first: every step repeats safely.
  let position = first === -1 ? { index: 0, after: undefined } : { index: first, after: from.after };
  for (let read = 0; position.index < COPIES.length; ) {
    if (read >= budget.copies || Date.now() >= budget.deadline) {
      const progress: RedactionProgress = {
        step: from.step + 1,
        kind: COPIES[position.index]!.kind,
        after: position.after,
        saved_at: Math.floor(Date.now() / 1000),
      };
      return (await saveRedactionProgress(scope, sessionId, from, progress)) ? 'continued' : 'overtaken';
    }
    const copies = COPIES[position.index]!;
    const page = await redactPage(copies, scope, sessionId, {
      limit: Math.min(budget.pageSize, budget.copies - read),
      after: position.after,
    });
    read += page.read;
    position = page.next ? { index: position.index, after: page.next } : { index: position.index + 1, after: undefined };
  }

  await changeSession(scope, sessionId, (current, now) => {
    if (current.redaction?.status === 'redacted') return null;
    const change = changeWithEvents(current, redactedSession(current), { request: null, now });
    // Done: the job item goes too, if TTL has not removed it (the backstop ran first), and the progress.
    return {
      ...change,
      items: [...(change.items ?? []), deleteItem(redactionJobKey(scope, sessionId)), deleteItem(redactionProgressKey(scope, sessionId))],
    };
  });
  return 'redacted';
}

/** One page of one kind of copies, redacted. */
async function redactPage(
  copies: Copies,
  scope: Scope,
  sessionId: string,
  page: { limit: number; after?: PartitionCursor },
): Promise<CopiesPage> {
  if ('page' in copies) return copies.page(scope, sessionId, page.limit);
  const { items, next } = await pageOfCopies(scope, copies.kind, sessionId, page);
  await copies.redact(items, sessionId);
  return { read: items.length, next };
}

const rewriteAll = (items: Record<string, unknown>[]) => eachInGroups(items, rewrite);

/** `write` of every item, side by side in groups of `WRITE_CONCURRENCY`. */
async function eachInGroups<T>(items: T[], write: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += WRITE_CONCURRENCY) await settled(items.slice(i, i + WRITE_CONCURRENCY).map(write));
}

/**
 * Waits for every write, then throws the first failure: a failed run has no write still in
 * flight once it reports its failure (in Lambda it would be frozen half-way and land later).
 */
async function settled(writes: Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(writes)).find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Replaces a stored event's copy of the session, and nothing else: the webhook delivery worker
 * counts `pending_webhooks` (and its undelivered mark) down on the same item meanwhile, and a
 * rewrite of the whole item as the index listed it would put back a stale count. Only if the
 * item still exists, as `rewrite` below.
 */
async function redactEventItem(item: StoredItem): Promise<void> {
  await setAttributesUnlessConditionFails(
    item,
    { event: redactedEventCopy(item.event), [REDACTED_EVENT]: true },
    { remove: [sealedName('event')], condition: 'attribute_exists(pk)' },
  );
}

/**
 * Rewrites an item only if it still exists: one that TTL removed since the index listed it stays
 * gone (recreating an event would publish it again).
 */
async function rewrite(Item: Record<string, unknown>): Promise<void> {
  await writeUnlessConditionFails(new PutCommand({ TableName: tableName(), Item, ConditionExpression: 'attribute_exists(pk)' }));
}

async function deleteAll(keys: Record<string, unknown>[]): Promise<void> {
  const batches = [];
  for (let i = 0; i < keys.length; i += 25) batches.push(keys.slice(i, i + 25));
  // One batch of 25 at a time: the same bound of writes in flight as the rewrites (WRITE_CONCURRENCY).
  for (const batch of batches) await deleteBatch(batch);
}

/** Up to 25 deletions in one BatchWriteItem, re-sending what DynamoDB left unprocessed (`untilProcessed`). */
async function deleteBatch(keys: Record<string, unknown>[]): Promise<void> {
  await untilProcessed(
    { [tableName()]: keys.map((Key) => ({ DeleteRequest: { Key } })) },
    async (pending) =>
      (await dynamo().send(new BatchWriteCommand({ RequestItems: pending }))).UnprocessedItems as typeof pending | undefined,
    'DynamoDB kept refusing to delete part of a batch',
  );
}
