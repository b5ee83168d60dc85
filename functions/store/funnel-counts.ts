/**
 * The funnel's counters (docs/console.md, "Funnel"): per account, mode and UTC day of creation, how many
 * sessions reached each stage (domain/funnel.ts) and were given each `last_error.code`. Written by the
 * funnel counter (functions/streams/count-funnel.ts) from the table's stream, never in a session's own
 * transaction, so no change of a session waits on, or collides over, a shared item.
 *
 * Sharded: a session counts in one of `FUNNEL_SHARDS` counter partitions (by a hash of its id), each an
 * `ADD` on one item per day, so an account's busy day spreads its writes over that many partitions.
 * Read back by one Query per shard (`FUNNEL_SHARDS` in all, each at most `FUNNEL_DAYS` items), summed.
 *
 * Counted once although the stream hands a record over at least once: each count is one transaction
 * of the counter's `ADD` and a marker item for (session, stage) put only if absent. A record handed
 * over again finds its marker and counts nothing. Markers and counters expire (TTL) after the window.
 */
import { createHash } from 'node:crypto';
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../domain/scope';
import { FUNNEL_STAGES, type FunnelStage, type FunnelStep } from '../domain/funnel';
import { dynamo } from './client';
import { cancellationReasons } from './transaction-items';
import { tableName, tableSchema } from './schema';

/** Counter partitions per account and mode. */
export const FUNNEL_SHARDS = 10;
/** Days the console shows (today, UTC, and the 29 before it); counts are kept a little longer, then expire. */
export const FUNNEL_DAYS = 30;
const KEPT_DAYS = FUNNEL_DAYS + 10;
const DAY_SECONDS = 24 * 60 * 60;

/** Partition keys of the counters start with this: the funnel counter may update these and the markers, nothing else. */
export const funnelCountPartitionPrefix = 'funnel_count#';
/** Partition keys of the markers that make a count happen once per (session, stage). */
export const funnelMarkPartitionPrefix = 'funnel_mark#';

const shardOf = (sessionId: string) => createHash('sha256').update(sessionId).digest().readUInt32BE(0) % FUNNEL_SHARDS;
const counterKey = (scope: Scope, shard: number, day: string) => ({
  pk: `${funnelCountPartitionPrefix}${scope.account}#${scope.mode}#${shard}`,
  sk: `day#${day}`,
});
/** Error codes are Stripe's (a closed list of snake_case names): each its own top-level attribute, as ADD needs. */
const ERROR_ATTRIBUTE = 'error#';
const attributeOf = (step: FunnelStep) => ('stage' in step ? step.stage : `${ERROR_ATTRIBUTE}${step.error}`);

/**
 * Counts `step` of session `sessionId` of `scope`, created on `day` (`YYYY-MM-DD`, UTC) at `created`
 * (epoch seconds): true when counted now, false when it had been counted already (its marker exists).
 * @throws the DynamoDB client's errors other than the marker's failed condition (the stream hands the record over again).
 */
export async function countFunnelStep(scope: Scope, sessionId: string, day: string, created: number, step: FunnelStep): Promise<boolean> {
  const attribute = attributeOf(step);
  const expires = created + KEPT_DAYS * DAY_SECONDS;
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName(),
              Key: { pk: `${funnelMarkPartitionPrefix}${scope.account}#${scope.mode}#${sessionId}`, sk: attribute },
              UpdateExpression: 'SET #expires = :expires',
              ConditionExpression: 'attribute_not_exists(pk)',
              ExpressionAttributeNames: { '#expires': tableSchema.timeToLiveAttribute },
              ExpressionAttributeValues: { ':expires': expires },
            },
          },
          {
            Update: {
              TableName: tableName(),
              Key: counterKey(scope, shardOf(sessionId), day),
              UpdateExpression: 'ADD #count :one SET #expires = :expires',
              ExpressionAttributeNames: { '#count': attribute, '#expires': tableSchema.timeToLiveAttribute },
              ExpressionAttributeValues: { ':one': 1, ':expires': expires },
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (cancellationReasons(error)?.[0]?.code === 'ConditionalCheckFailed') return false;
    throw error;
  }
}

/** One day's counts (or the window's): sessions per stage, and per error code. */
export interface FunnelCounts {
  stages: Record<FunnelStage, number>;
  errors: Record<string, number>;
}

export interface Funnel {
  /** Oldest first: every day of the window, those with nothing counted as zeros. */
  days: ({ day: string } & FunnelCounts)[];
  total: FunnelCounts;
}

const emptyCounts = (): FunnelCounts => ({ stages: { created: 0, opened: 0, submitted: 0, verified: 0 }, errors: {} });

function add(into: FunnelCounts, item: Record<string, unknown>): void {
  for (const stage of FUNNEL_STAGES) into.stages[stage] += Number(item[stage] ?? 0);
  for (const [name, value] of Object.entries(item))
    if (name.startsWith(ERROR_ATTRIBUTE)) {
      const code = name.slice(ERROR_ATTRIBUTE.length);
      into.errors[code] = (into.errors[code] ?? 0) + Number(value);
    }
}

/**
 * The funnel of `scope` for the `FUNNEL_DAYS` UTC days up to the one of `now`: `FUNNEL_SHARDS` Queries,
 * one per counter partition, each of at most `FUNNEL_DAYS` small items (well under a Query's 1 MB).
 */
export async function readFunnel(scope: Scope, now: Date): Promise<Funnel> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days = Array.from({ length: FUNNEL_DAYS }, (_, i) =>
    new Date(today - (FUNNEL_DAYS - 1 - i) * DAY_SECONDS * 1000).toISOString().slice(0, 10),
  );
  const byDay = new Map(days.map((day) => [day, emptyCounts()]));
  const shards = await Promise.all(
    Array.from({ length: FUNNEL_SHARDS }, (_, shard) =>
      dynamo().send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': counterKey(scope, shard, days[0]!).pk,
            ':from': counterKey(scope, shard, days[0]!).sk,
            ':to': counterKey(scope, shard, days.at(-1)!).sk,
          },
        }),
      ),
    ),
  );
  const total = emptyCounts();
  for (const { Items } of shards)
    for (const item of Items ?? []) {
      const counts = byDay.get(String(item.sk).slice('day#'.length));
      if (!counts) continue;
      add(counts, item);
      add(total, item);
    }
  return { days: days.map((day) => ({ day, ...byDay.get(day)! })), total };
}
