/**
 * The shared request counters behind per-account rate limits (see functions/domain/rate-limit.ts):
 * one item per account and mode holding the current one-second window and how many requests
 * every container has leased in it. A lease is one conditional UpdateItem: start a new window,
 * or add to the current one while its total stays at or under the limit. The item is
 * overwritten each window, so an account has one counter whatever its traffic; TTL removes it a
 * day after the account's last request.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Lease, LeaseRequests, WindowCount } from '../domain/rate-limit';
import { dynamo, isConditionalCheckFailure, itemOfFailedCondition } from './client';
import { rateLimitKey, tableName, tableSchema } from './schema';

/** A counter unused for this long is deleted by TTL (seconds). */
const IDLE_SECONDS = 86_400;
/** Conditional writes one lease may try when containers race for the same counter. */
const MAX_WRITES = 3;

/**
 * Leases up to `wanted` requests of `window`: at most `MAX_WRITES` UpdateItem calls, usually
 * one. Grants fewer when the window has fewer left, none when it is spent (or when this lease
 * lost every race: then the counter is not reported, so only this request is refused).
 * @throws the DynamoDB client's errors other than a failed condition.
 */
export const leaseRequests: LeaseRequests = async (scope, { window, wanted, limit, seen }) => {
  let known: WindowCount | undefined = seen;
  for (let write = 0; write < MAX_WRITES; write++) {
    // The counter is still in an older window as far as we know: start this one.
    const current = known && known.window >= window ? known : undefined;
    const room = current ? limit - current.leased : limit;
    if (room <= 0) return { granted: 0, count: current };
    const take = Math.min(wanted, room);
    try {
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: rateLimitKey(scope),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ExpressionAttributeNames: { '#window': 'window', ...(current ? {} : { '#expires': tableSchema.timeToLiveAttribute }) },
          ...(current
            ? {
                UpdateExpression: 'ADD leased :take',
                ConditionExpression: '#window = :window AND leased <= :most',
                ExpressionAttributeValues: { ':take': take, ':window': current.window, ':most': limit - take },
              }
            : {
                UpdateExpression: 'SET #window = :window, leased = :take, #expires = :expires',
                ConditionExpression: 'attribute_not_exists(pk) OR #window < :window',
                ExpressionAttributeValues: { ':take': take, ':window': window, ':expires': window + IDLE_SECONDS },
              }),
        }),
      );
      return { granted: take, count: { window: current?.window ?? window, leased: (current?.leased ?? 0) + take } } satisfies Lease;
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      const item = itemOfFailedCondition(error);
      known = item ? { window: item.window as number, leased: item.leased as number } : undefined;
    }
  }
  return { granted: 0 };
};
