/**
 * The review queue in DynamoDB (functions/domain/review-policy.ts):
 * - an account's review policy in one mode: one item, `review_policy#<account>#<mode>`;
 * - each held verdict: one item in its account and mode's queue partition
 *   (`review_queue#<account>#<mode>`), sorted by submission id (ids are time-ordered: oldest
 *   first), holding the reasons in clear and the checks' outcome sealed under the session's key
 *   (what the checks read of the person is personal);
 * - and one watch item per held verdict in one shared partition (`review_watch`), sorted by when
 *   it was held, holding ids and times only: the review watch (functions/schedules/watch-review-queue.ts)
 *   reads those waiting too long with one Query, whatever the number of accounts. Two small writes
 *   per held verdict: a partition no busier than the verdicts people decide.
 * No new index: a queue is a partition of its own (docs/architecture.md).
 */
import { DeleteCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { VerityError } from '../domain/errors';
import { updatedReviewPolicy, type ReviewPolicy, type ReviewPolicyUpdate, type ReviewReason } from '../domain/review-policy';
import type { Scope } from '../domain/scope';
import type { ChecksOutcome, Submission } from '../domain/verification-checks';
import { dynamo, type StoredItem } from './client';
import { REVIEW_WATCH_PARTITION, reviewPolicyPartitionPrefix, reviewQueuePartitionPrefix, tableName, tableSchema } from './schema';
import { loadSessionKeys, openedAttribute, sealedAttribute } from './session-keys';
import { cancellationReasons, putNew, type TransactItem } from './transaction-items';
import { claimForReview, type LivenessClaim } from './liveness-sessions';
import { fileInfoItem, type FileInfo } from './submissions';

const scopeText = (scope: Scope) => `${scope.account}#${scope.mode}`;

export const reviewPolicyKey = (scope: Scope) => ({ pk: `${reviewPolicyPartitionPrefix}${scopeText(scope)}`, sk: 'review_policy' });
/** A held verdict's queue item, by its submission (`vsub_…`): the session's `submission` names it while it is held. */
export const reviewQueueKey = (scope: Scope, submission: string) => ({
  pk: `${reviewQueuePartitionPrefix}${scopeText(scope)}`,
  sk: submission,
});
const watchSort = (scope: Scope, submission: string, held: number) => `${String(held).padStart(12, '0')}#${scopeText(scope)}#${submission}`;

/** A verdict held for a person: whose, since when (epoch seconds), why, and what the checks concluded. */
export interface HeldReview {
  scope: Scope;
  /** `vs_…` */
  session: string;
  /** `vsub_…` */
  submission: string;
  reasons: ReviewReason[];
  /** Epoch seconds. */
  held: number;
  outcome: ChecksOutcome;
  /**
   * The images' file ids the checks saw (no personal data: ids), for the reviewer to see: the
   * submission's, with a Face Liveness reference image as the `selfie`.
   */
  files: Submission['files'];
  /**
   * A Face Liveness capture the verdict read (ids only): the liveness session the hold claimed, which
   * the reviewer's decision claims for its report, and the reference image's file id standing as
   * `files.selfie` (absent when the capture gave none). Absent without a capture.
   */
  liveness?: { claim: LivenessClaim; reference?: string };
}

/**
 * What a hold writes besides the queue's items, in the same transaction: a Face Liveness capture's
 * images' descriptions (each written once: a file id is new) and its liveness session's claim.
 */
export interface HoldCapture {
  files: FileInfo[];
  claim?: LivenessClaim;
}

/** The account's policy in `scope`'s mode, or undefined (reviews off): one GetItem, eventually consistent. */
export async function findReviewPolicy(scope: Scope, consistent = false): Promise<ReviewPolicy | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: reviewPolicyKey(scope), ConsistentRead: consistent }));
  return Item ? (Item.policy as ReviewPolicy) : undefined;
}

/**
 * Applies `update` (checked by the domain, which throws its `parameter_invalid`) to the policy of
 * `scope`: one read and one conditional write (on the revision read). A policy left with no field
 * is deleted. Throws a `conflict` VerityError when another change came in between.
 */
export async function updateReviewPolicy(
  scope: Scope,
  update: ReviewPolicyUpdate,
  now: Date,
): Promise<{ previous: ReviewPolicy | undefined; policy: ReviewPolicy }> {
  const key = reviewPolicyKey(scope);
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  const previous = Item?.policy as ReviewPolicy | undefined;
  const policy = updatedReviewPolicy(previous ?? {}, update);
  const same = Item
    ? { ConditionExpression: 'revision = :revision', ExpressionAttributeValues: { ':revision': Item.revision } }
    : { ConditionExpression: 'attribute_not_exists(pk)' };
  const empty = Object.keys(policy).length === 0;
  if (empty && !Item) return { previous, policy };
  const write: TransactItem = empty
    ? { Delete: { TableName: tableName(), Key: key, ...same } }
    : {
        Put: {
          TableName: tableName(),
          Item: { ...key, scope, policy, revision: ((Item?.revision as number) ?? 0) + 1, updated: Math.floor(now.getTime() / 1000) },
          ...same,
        },
      };
  try {
    await dynamo().send(new TransactWriteCommand({ TransactItems: [write] }));
  } catch (error) {
    if (cancellationReasons(error)?.some((reason) => reason.code === 'ConditionalCheckFailed' || reason.code === 'TransactionConflict'))
      throw new VerityError('conflict', null, 'The review policy was changed by someone else at the same time. Run the command again.');
    throw error;
  }
  return { previous, policy };
}

/** What of an outcome is no one's data: everything but the person the checks read. */
const clearOutcome = (outcome: ChecksOutcome): ChecksOutcome => ({ ...outcome, person: null });

function queueItem(review: HeldReview): Record<string, unknown> {
  const key = reviewQueueKey(review.scope, review.submission);
  return {
    ...key,
    scope: review.scope,
    session: review.session,
    submission: review.submission,
    reasons: review.reasons,
    held: review.held,
    files: review.files,
    ...(review.liveness ? { liveness: review.liveness } : {}),
    watch: watchSort(review.scope, review.submission, review.held),
    ...sealedAttribute(key, 'outcome', review.outcome, clearOutcome(review.outcome), review.scope, review.session),
  };
}

function reviewOfItem(item: StoredItem): HeldReview {
  const scope = item.scope as Scope;
  return {
    scope,
    session: item.session as string,
    submission: item.submission as string,
    reasons: item.reasons as ReviewReason[],
    held: item.held as number,
    files: (item.files ?? {}) as Submission['files'],
    ...(item.liveness ? { liveness: item.liveness as HeldReview['liveness'] } : {}),
    outcome: openedAttribute<ChecksOutcome>(item, 'outcome', scope, item.session as string),
  };
}

/**
 * Holds a verdict for a person, in one transaction: the submission item written again without its
 * expiry (a held session waits for its reviewer, not for the 25-hour give-up) and marked held, on
 * condition that it still exists (the session still processes it: every conclusion deletes it) and
 * is not held yet; the queue item; the watch item. False, with nothing written, when the condition
 * fails (concluded meanwhile, or a redelivered job already held it). The session's key must be loaded.
 * With a Face Liveness `capture`, its images' descriptions and its liveness session's claim
 * (`claimForReview`) are written in the same transaction: a crash before it leaves nothing of the
 * capture written (the job, run again, reads the result again), and a second hold fails on the
 * submission's condition (and on the claim's) without writing anything.
 */
export async function holdForReview(submissionItem: StoredItem, review: HeldReview, capture?: HoldCapture): Promise<boolean> {
  const { [tableSchema.timeToLiveAttribute]: _expiry, ...kept } = submissionItem;
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: { ...kept, review_held: review.held },
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(review_held)',
            },
          },
          { Put: { TableName: tableName(), Item: queueItem(review), ConditionExpression: 'attribute_not_exists(pk)' } },
          {
            Put: {
              TableName: tableName(),
              Item: {
                pk: REVIEW_WATCH_PARTITION,
                sk: watchSort(review.scope, review.submission, review.held),
                scope: review.scope,
                session: review.session,
                held: review.held,
              },
            },
          },
          ...(capture?.files ?? []).map((file) => putNew(fileInfoItem(review.scope, file))),
          ...(capture?.claim ? [claimForReview(review.scope, capture.claim, review.held)] : []),
        ],
      }),
    );
    return true;
  } catch (error) {
    if (cancellationReasons(error)?.[0]?.code === 'ConditionalCheckFailed') return false;
    throw error;
  }
}

/** The held verdict of `submission` in `scope`, or undefined: one consistent GetItem (and the session's key). */
export async function getHeldReview(scope: Scope, submission: string): Promise<HeldReview | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: reviewQueueKey(scope, submission), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  await loadSessionKeys([{ scope, id: Item.session as string }]);
  return reviewOfItem(Item);
}

/**
 * The delete that ends a held verdict, written with its decision: its queue item, which must still
 * be there (a second decision fails on it). Its watch item is left to the review watch, which
 * deletes watch items whose queue item is gone (`overdueReviews`): the console's functions may
 * not touch the shared watch partition.
 */
export function endReviewItems(review: HeldReview): TransactItem[] {
  return [
    {
      Delete: { TableName: tableName(), Key: reviewQueueKey(review.scope, review.submission), ConditionExpression: 'attribute_exists(pk)' },
    },
  ];
}

/**
 * A page of `scope`'s queue, oldest first (one Query of at most `limit` items, and their sessions'
 * keys), from after the submission `startingAfter`.
 */
export async function listHeldReviews(
  scope: Scope,
  query: { limit: number; startingAfter?: string },
): Promise<{ data: HeldReview[]; hasMore: boolean }> {
  const { Items = [] } = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: query.startingAfter ? 'pk = :pk AND sk > :after' : 'pk = :pk',
      ExpressionAttributeValues: {
        ':pk': reviewQueueKey(scope, '').pk,
        ...(query.startingAfter ? { ':after': query.startingAfter } : {}),
      },
      // One more than asked: whether there is a next page, without an empty last one.
      Limit: query.limit + 1,
      ConsistentRead: true,
    }),
  );
  const page = Items.slice(0, query.limit);
  await loadSessionKeys(page.map((item) => ({ scope, id: item.session as string })));
  return { data: page.map(reviewOfItem), hasMore: Items.length > query.limit };
}

/**
 * The held verdicts of every account waiting since before `cut` (epoch seconds), oldest first, at
 * most `limit` read: one Query of the watch partition, then one GetItem per watch item read to
 * check that its verdict is still held; the watch items of decided verdicts are deleted on the way.
 * Answers how many are still held, and since when the oldest of those waits.
 */
export async function overdueReviews(cut: number, limit: number): Promise<{ overdue: number; oldest: number | undefined }> {
  const { Items = [] } = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND sk < :cut',
      ExpressionAttributeValues: { ':pk': REVIEW_WATCH_PARTITION, ':cut': String(cut).padStart(12, '0') },
      Limit: limit,
    }),
  );
  let overdue = 0;
  let oldest: number | undefined;
  for (const item of Items) {
    const submission = (item.sk as string).split('#').pop()!;
    const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: reviewQueueKey(item.scope as Scope, submission) }));
    if (Item) {
      overdue++;
      oldest ??= item.held as number;
    } else {
      await dynamo().send(new DeleteCommand({ TableName: tableName(), Key: { pk: item.pk, sk: item.sk } }));
    }
  }
  return { overdue, oldest };
}
