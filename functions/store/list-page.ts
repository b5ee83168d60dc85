/**
 * One page of a Stripe list from a list index: newest first, `created` bounds and the cursor
 * folded into one range of time-ordered ids, so a page reads at most `limit + 2` items per index
 * partition whatever the table holds, or with filters on other attributes at most
 * `FILTERED_READ_BUDGET` (600).
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { idFloorForTime } from '../domain/ids';
import { dynamo, type StoredItem } from './client';
import type { Scope } from '../domain/scope';
import { filterPartition } from './filter-partitions';
import { fetchIndexedItems } from './partition';
import { indexToRead, listPartition, tableName, tableSchema, type IndexName, type IndexSchema } from './schema';

/** A `created` filter of a list, in epoch seconds (Stripe's `created[gt]`, `[gte]`, `[lt]`, `[lte]`). */
export interface CreatedRange {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

export interface PageQuery {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
  created?: CreatedRange;
}

export interface IndexQuery {
  index: IndexSchema;
  /** Several partitions (say, several event types) are read side by side and merged. */
  partitions: string[];
  /** The id prefix of the objects listed (`vs`, `evt`). */
  idPrefix: string;
  /** Conditions on other attributes; items that fail them are read and dropped. */
  filters?: { attribute: string; value: string }[];
}

/** A list filter: `field = value` when a value is given, served by the index that holds that field. */
export interface ListFilter {
  index: IndexName;
  field: string;
  value: string | undefined;
}

/**
 * The query for a list of `kind` with filters given most selective first: the first filter with
 * a value picks the index partition, the others are checked on the items read.
 */
export function filteredIndexQuery(scope: Scope, kind: string, idPrefix: string, filters: ListFilter[]): IndexQuery {
  const given = filters.flatMap(({ index, field, value }) =>
    value === undefined ? [] : [{ index, partition: filterPartition(scope, kind, field, value) }],
  );
  const [keyFilter, ...otherFilters] = given;
  return {
    index: tableSchema.indexes[keyFilter?.index ?? 'byScope'],
    partitions: [keyFilter?.partition ?? listPartition(scope, kind)],
    idPrefix,
    filters: otherFilters.map((filter) => ({ attribute: tableSchema.indexes[filter.index].partitionKey, value: filter.partition })),
  };
}

/** Items read per Query when filters discard some of them. */
const FILTERED_READ_STEP = 200;
/**
 * Items a filtered page reads from its index partition before it settles for a partial page:
 * three `Query` calls. When it is spent before the page is full, the page is what matched so far
 * with `has_more: true`, and the next page starts after its last item. A page that has matched
 * nothing by then reads on until its first match or the partition's end: a page with
 * `has_more: true` must carry an item, since the next one starts after its last (the SDK's
 * auto-pagination fails on an empty one). That costs what the account's own non-matching items
 * in the partition cost, and only for lists with two filters or more.
 */
export const FILTERED_READ_BUDGET = 3 * FILTERED_READ_STEP;

export async function queryPage<T>(
  { index, partitions, idPrefix, filters = [] }: IndexQuery,
  page: PageQuery,
  itemOf: (item: StoredItem) => T,
  /** Called with the page's items before `itemOf` (say, to load the keys that open them). */
  prepare?: (items: StoredItem[]) => Promise<void>,
  /**
   * Which opened items the page shows: the index found them by a value they may no longer hold
   * (a client reference its session's redaction removed; the index forgets it only when the
   * item is rewritten). Those dropped leave the page short; `has_more` is as read.
   */
  keep: (value: T) => boolean = () => true,
): Promise<{ data: T[]; hasMore: boolean }> {
  const { low, high } = idRange(idPrefix, page);
  if (low > high || partitions.length === 0) return { data: [], hasMore: false };
  const cursor = page.startingAfter ?? page.endingBefore;
  const backwards = page.endingBefore !== undefined;
  const wanted = page.limit + 1; // one more than the page tells whether there is more

  const perPartition = await Promise.all(
    partitions.map(async (partition) => {
      const names: Record<string, string> = { '#pk': index.partitionKey, '#id': index.sortKey };
      const values: Record<string, unknown> = { ':pk': partition, ':low': low, ':high': high };
      const conditions = filters.map((filter, i) => {
        names[`#f${i}`] = filter.attribute;
        values[`:f${i}`] = filter.value;
        return `#f${i} = :f${i}`;
      });
      const found: StoredItem[] = [];
      let startKey: Record<string, unknown> | undefined;
      let budget = FILTERED_READ_BUDGET;
      do {
        const input: QueryCommandInput = {
          TableName: tableName(),
          IndexName: indexToRead(index).name,
          KeyConditionExpression: '#pk = :pk AND #id BETWEEN :low AND :high',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: backwards,
          // The cursor's own item may be in range: read one more so that it does not cost a page.
          Limit: conditions.length
            ? budget > 0
              ? Math.min(FILTERED_READ_STEP, budget)
              : FILTERED_READ_STEP
            : wanted - found.length + (cursor ? 1 : 0),
          ExclusiveStartKey: startKey,
          ...(conditions.length ? { FilterExpression: conditions.join(' AND ') } : {}),
        };
        const result = await dynamo().send(new QueryCommand(input));
        for (const item of result.Items ?? []) {
          if (item[index.sortKey] !== cursor && found.length < wanted) found.push(item);
        }
        startKey = result.LastEvaluatedKey;
        budget -= result.ScannedCount ?? 0;
      } while (found.length < wanted && startKey && (budget > 0 || found.length === 0));
      // Unread items remain past the budget: they may match, so the list goes on after this page.
      return { found, unread: found.length < wanted && startKey !== undefined };
    }),
  );

  const id = (item: StoredItem) => item[index.sortKey] as string;
  const merged = perPartition
    .flatMap(({ found }) => found)
    .sort((a, b) => (backwards ? (id(a) < id(b) ? -1 : 1) : id(a) < id(b) ? 1 : -1))
    .slice(0, wanted);
  // A lean index found the page's keys: its items come in one BatchGetItem.
  const kept = await fetchIndexedItems(index, merged.slice(0, page.limit));
  await prepare?.(kept);
  const items = kept.map(itemOf).filter(keep);
  const unread = perPartition.some((partition) => partition.unread);
  return { data: backwards ? items.reverse() : items, hasMore: merged.length > page.limit || unread };
}

/** Inclusive id bounds. Time floors are shorter than any id, so no id equals one. */
function idRange(prefix: string, page: PageQuery): { low: string; high: string } {
  const lows = [`${prefix}_`];
  const highs = [`${prefix}_~`]; // '~' sorts after every base62 character
  const { created } = page;
  if (created?.gte !== undefined) lows.push(idFloorForTime(prefix, created.gte));
  if (created?.gt !== undefined) lows.push(idFloorForTime(prefix, created.gt + 1));
  if (created?.lt !== undefined) highs.push(idFloorForTime(prefix, created.lt));
  if (created?.lte !== undefined) highs.push(idFloorForTime(prefix, created.lte + 1));
  if (page.endingBefore !== undefined) lows.push(page.endingBefore);
  if (page.startingAfter !== undefined) highs.push(page.startingAfter);
  // biome-ignore lint/complexity/useMathMinMax: ids are strings, compared in order; Math.max would read them as numbers.
  return { low: lows.reduce((a, b) => (b > a ? b : a)), high: highs.reduce((a, b) => (b < a ? b : a)) };
}
