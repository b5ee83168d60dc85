/**
 * Hand-off links' items (functions/domain/handoffs.ts), in their session's partition, so the page
 * routes' grant on the session's items (`objects: ['vs', …]`) covers them and no other route's:
 *
 * - `handoff_count`: how many links the session has issued (`issued`), at most MAX_HANDOFFS, and
 *   how many it has had spent (`epoch`, 0 until the first).
 * - `handoff#{slot}` (0 to HANDOFF_SLOTS − 1): the link issued last in that slot: the secret's hash,
 *   until when it may be opened (`valid_until`, epoch seconds), whether it was spent, the page
 *   grant it hands on (`uses`, `attempt`), when the asking page's cookie expires (`page_expires`, epoch
 *   seconds: the link and the phone's cookie end no later) and the count's `epoch` when it was issued. Link n takes
 *   slot n mod HANDOFF_SLOTS, and only once the link there before it was spent, expired or retired:
 *   so at most HANDOFF_SLOTS are live at once.
 *
 * Spending a link moves the count's `epoch` on, which retires every other link issued before it
 * (their `epoch` is behind), and the page cookie of any phone that opened an earlier one (it is signed
 * with the epoch its own spend moved the count to): one phone holds the session's hand-off at a time, and a code left on
 * screen or copied somewhere opens nothing once a phone went on with another one. The desktop's
 * own page is not touched (it may always go on), and may ask for a new link, which opens again.
 *
 * They hold no personal data (a hash, counts, times), and each carries DynamoDB's TTL attribute
 * (`expires_at`): a day after its link expires, or HANDOFF_COUNT_DAYS after the count's last
 * change. A redacted, canceled or finished session refuses them anyway (the page checks the
 * session first), so redaction need not reach them. Every write is conditional.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { HANDOFF_SECONDS, HANDOFF_SLOTS, handoffHash, MAX_HANDOFFS, newHandoffCredential } from '../domain/handoffs';
import type { Scope } from '../domain/scope';
import { dynamo } from './client';
import { expiresAt, objectKey, tableName, tableSchema } from './schema';
import { cancellationReasons, type TransactItem } from './transaction-items';

const COUNT_KIND = 'handoff_count';
const slotKind = (slot: number) => `handoff#${slot}`;
/** How long the count outlives its last change (the session's links last at most 48 hours, its page grants an hour). */
const HANDOFF_COUNT_DAYS = 30;
const DAY_SECONDS = 24 * 60 * 60;

/**
 * The condition that an item's `epoch` is `:epoch`; an item written before links had epochs (or
 * a count before its first spend) counts as epoch 0.
 */
const epochIs = (epoch: number) => (epoch === 0 ? '(attribute_not_exists(#epoch) OR #epoch = :epoch)' : '#epoch = :epoch');
const epochOf = (item: Record<string, unknown> | undefined) => (typeof item?.epoch === 'number' ? item.epoch : 0);

/** The page grant a hand-off passes on: the session's link uses and attempt when it was issued (hosted-page/page-access.ts). */
export interface HandoffGrant {
  uses: number;
  attempt: string;
}

/**
 * The count's `epoch` now (0 before the first spend, or with no count): a phone's page cookie is
 * signed with the epoch its own spend moved the count to, and acts only while it is still the
 * count's (hosted-page/page-access.ts). One consistent GetItem.
 */
export async function handoffEpoch(scope: Scope, session: string): Promise<number> {
  const countKey = objectKey(scope, session, COUNT_KIND);
  const count = await dynamo().send(new GetCommand({ TableName: tableName(), Key: countKey, ConsistentRead: true }));
  return epochOf(count.Item);
}

/**
 * A transaction's check that the count's `epoch` is still `epoch` (no phone opened another link
 * since it was read): what a phone's write adds, so a spend racing it cannot slip past.
 */
export const handoffEpochHolds = (scope: Scope, session: string, epoch: number): TransactItem => ({
  ConditionCheck: {
    TableName: tableName(),
    Key: objectKey(scope, session, COUNT_KIND),
    ConditionExpression: epochIs(epoch),
    ExpressionAttributeNames: { '#epoch': 'epoch' },
    ExpressionAttributeValues: { ':epoch': epoch },
  },
});

/** A spent link: the count's `epoch` its spend moved it to, and until when the page cookie that asked for it lasts (epoch seconds). */
export interface SpentHandoff {
  epoch: number;
  pageExpires?: number;
}

export type IssuedHandoff =
  | { issued: true; credential: string; validUntil: number }
  | { issued: false; reason: 'all_issued' | 'all_live' | 'busy'; retryAfterSeconds: number };

/**
 * Issues the session's next hand-off link, bound to `grant`, and to `pageExpires` (epoch seconds),
 * when the asking browser's page cookie expires: the link lasts no longer, and the phone's cookie
 * no longer than that either (a hand-off never stretches the hour the person's consent gave). One read of the count, then one
 * transaction: the count moves on from the value read (so racing requests cannot both take it,
 * and a link cannot be issued across a spend it would then outlive), and the slot is taken only
 * if free. Refused when the session has issued MAX_HANDOFFS, when the slot's link is still live,
 * or when another request took the slot (or spent a link) at the same time.
 */
export async function issueHandoff(
  scope: Scope,
  session: string,
  grant: HandoffGrant,
  pageExpires: number,
  now: Date,
): Promise<IssuedHandoff> {
  const seconds = Math.floor(now.getTime() / 1000);
  const countKey = objectKey(scope, session, COUNT_KIND);
  const count = await dynamo().send(new GetCommand({ TableName: tableName(), Key: countKey, ConsistentRead: true }));
  const issued = typeof count.Item?.issued === 'number' ? count.Item.issued : 0;
  const epoch = epochOf(count.Item);
  if (issued >= MAX_HANDOFFS) return { issued: false, reason: 'all_issued', retryAfterSeconds: 0 };
  const slot = issued % HANDOFF_SLOTS;
  const { credential, secret } = newHandoffCredential(scope, session, slot);
  // The asking page acted just now, so its cookie outlives this second: the link lasts at least that.
  const validUntil = Math.min(seconds + HANDOFF_SECONDS, pageExpires);
  const ttl = tableSchema.timeToLiveAttribute;
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName(),
              Key: countKey,
              UpdateExpression: 'SET #issued = :next, #id = :id, #ttl = :countTtl, #epoch = :epoch',
              ConditionExpression: `${issued === 0 ? 'attribute_not_exists(#issued)' : '#issued = :issued'} AND ${epochIs(epoch)}`,
              ExpressionAttributeNames: { '#issued': 'issued', '#id': 'id', '#ttl': ttl, '#epoch': 'epoch' },
              ExpressionAttributeValues: {
                ':next': issued + 1,
                ':id': COUNT_KIND,
                ':epoch': epoch,
                ':countTtl': expiresAt(now, HANDOFF_COUNT_DAYS * DAY_SECONDS),
                ...(issued === 0 ? {} : { ':issued': issued }),
              },
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: {
                ...objectKey(scope, session, slotKind(slot)),
                id: slotKind(slot),
                hash: handoffHash(scope, session, secret),
                valid_until: validUntil,
                spent: false,
                uses: grant.uses,
                attempt: grant.attempt,
                epoch,
                page_expires: pageExpires,
                [ttl]: validUntil + DAY_SECONDS,
              },
              // Free once its link was spent, expired, or retired by a later spend (an epoch behind).
              ConditionExpression: 'attribute_not_exists(pk) OR valid_until <= :now OR spent = :true OR #epoch < :epoch',
              ExpressionAttributeNames: { '#epoch': 'epoch' },
              ExpressionAttributeValues: { ':now': seconds, ':true': true, ':epoch': epoch },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
        ],
      }),
    );
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    const held = reasons[1]?.code === 'ConditionalCheckFailed' ? reasons[1].item : undefined;
    if (held && typeof held.valid_until === 'number') {
      return { issued: false, reason: 'all_live', retryAfterSeconds: Math.max(1, held.valid_until - seconds) };
    }
    return { issued: false, reason: 'busy', retryAfterSeconds: 1 };
  }
  return { issued: true, credential, validUntil };
}

/**
 * Spends a hand-off link: true once, for a link of this session whose secret matches, unexpired
 * and unspent, issued for `grant` (the session's link uses and attempt now: a link issued before
 * another link was spent, or before a submission concluded, hands on nothing) and since the last
 * spend of any link of the session. One read of the count and the slot, then one transaction: the slot is
 * spent and the count's `epoch` moves on from the value read, which retires every other link
 * issued so far and every phone's page cookie signed for an earlier epoch. Of two phones opening
 * links of the session at once, one wins. Answers the new epoch and the issuing page's expiry; undefined when refused.
 */
export async function spendHandoff(
  scope: Scope,
  session: string,
  handoff: { slot: number; secret: string },
  grant: HandoffGrant,
  now: Date,
): Promise<SpentHandoff | undefined> {
  const countKey = objectKey(scope, session, COUNT_KIND);
  const slotKey = objectKey(scope, session, slotKind(handoff.slot));
  const [count, slot] = await Promise.all(
    [countKey, slotKey].map((Key) => dynamo().send(new GetCommand({ TableName: tableName(), Key, ConsistentRead: true }))),
  );
  if (!count?.Item || !slot?.Item) return undefined;
  const epoch = epochOf(count.Item);
  // A link issued before links carried it has none: its phone gets the page's own hour.
  const pageExpires = typeof slot.Item.page_expires === 'number' ? slot.Item.page_expires : undefined;
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName(),
              Key: slotKey,
              UpdateExpression: 'SET spent = :true',
              ConditionExpression:
                '#hash = :hash AND spent = :false AND valid_until > :now AND #uses = :uses AND attempt = :attempt' +
                ` AND ${epochIs(epoch)}` +
                (pageExpires === undefined ? ' AND attribute_not_exists(page_expires)' : ' AND page_expires = :pageExpires'),
              ExpressionAttributeNames: { '#hash': 'hash', '#uses': 'uses', '#epoch': 'epoch' },
              ExpressionAttributeValues: {
                ':true': true,
                ':false': false,
                ':hash': handoffHash(scope, session, handoff.secret),
                ':now': Math.floor(now.getTime() / 1000),
                ':uses': grant.uses,
                ':attempt': grant.attempt,
                ':epoch': epoch,
                // The link read above, not one issued in its slot since (its hash would differ anyway).
                ...(pageExpires === undefined ? {} : { ':pageExpires': pageExpires }),
              },
            },
          },
          {
            Update: {
              TableName: tableName(),
              Key: countKey,
              UpdateExpression: 'SET #epoch = :next',
              ConditionExpression: `attribute_exists(#issued) AND ${epochIs(epoch)}`,
              ExpressionAttributeNames: { '#issued': 'issued', '#epoch': 'epoch' },
              ExpressionAttributeValues: { ':next': epoch + 1, ':epoch': epoch },
            },
          },
        ],
      }),
    );
    return { epoch: epoch + 1, ...(pageExpires === undefined ? {} : { pageExpires }) };
  } catch (error) {
    if (cancellationReasons(error)) return undefined;
    throw error;
  }
}
