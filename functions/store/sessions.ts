/** VerificationSessions in DynamoDB: one item each, guarded by a version number. */
import { GetCommand, PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { resourceMissing, VerityError } from '../domain/errors';
import type { Scope, SessionStatus, VerificationSession } from '../domain/verification-session';
import { idFloorForTime } from '../wire/ids';
import type { CreatedRange } from '../wire/lists';
import { dynamo, isConditionalCheckFailure, itemOfFailedCondition } from './client';
import { listPartition, objectKey, tableName, tableSchema, type IndexName } from './schema';

const KIND = 'verification_session';
const ID_PREFIX = 'vs';
/** How often a change is re-decided on fresh state after losing a race, before giving up with 409. */
const MAX_ATTEMPTS = 10;
/** A short random pause between attempts keeps writers that keep colliding from colliding again. */
const pauseBeforeRetry = (attempt: number) => new Promise((done) => setTimeout(done, Math.random() * 5 * (attempt + 1)));

interface StoredSession {
  session: VerificationSession;
  version: number;
}

type SessionItem = Record<string, unknown> & { session: VerificationSession; version: number };

function toItem(session: VerificationSession, version: number): SessionItem {
  const scope: Scope = { account: session.account, mode: session.mode };
  const byValue = (field: string, value: string | null) =>
    value === null ? undefined : listPartition(scope, KIND, { field, value });
  const { indexes } = tableSchema;
  return {
    ...objectKey(scope, session.id, KIND),
    id: session.id,
    version,
    [indexes.byScope.partitionKey]: listPartition(scope, KIND),
    [indexes.byStatus.partitionKey]: byValue('status', session.status),
    [indexes.byClientReferenceId.partitionKey]: byValue('client_reference_id', session.client_reference_id),
    [indexes.byRelatedCustomer.partitionKey]: byValue('related_customer', session.related_customer),
    [indexes.byRelatedCustomerAccount.partitionKey]: byValue('related_customer_account', session.related_customer_account),
    session,
  };
}

export async function getSession(scope: Scope, id: string): Promise<StoredSession | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: objectKey(scope, id, KIND), ConsistentRead: true }),
  );
  return Item ? { session: Item.session, version: Item.version } : undefined;
}

export async function insertSession(session: VerificationSession): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: toItem(session, 1),
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/**
 * Applies a pure change to the stored session. The write is conditional on the version that was
 * read; when another request changed the session in between, the change is decided again on the
 * session as it now is (returned by the failed write itself), so a change that is no longer
 * allowed fails with the domain's error and an allowed one is never lost.
 */
export async function changeSession(
  scope: Scope,
  id: string,
  change: (session: VerificationSession) => VerificationSession,
): Promise<VerificationSession> {
  let current = await getSession(scope, id);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (!current) throw resourceMissing('verification_session', id);
    const next = change(current.session);
    try {
      await dynamo().send(
        new PutCommand({
          TableName: tableName(),
          Item: toItem(next, current.version + 1),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': current.version },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return next;
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      const item = itemOfFailedCondition(error);
      current = item ? { session: item.session, version: item.version } : undefined;
      await pauseBeforeRetry(attempt);
    }
  }
  throw new VerityError(
    'conflict',
    'lock_timeout',
    'This VerificationSession is being changed by other requests right now. Retry the request.',
  );
}

export interface SessionListQuery {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
  created?: CreatedRange;
  status?: SessionStatus;
  clientReferenceId?: string;
  relatedCustomer?: string;
  relatedCustomerAccount?: string;
}

/** Items read per Query when a second filter discards some of them. */
const FILTERED_READ_STEP = 200;

/** The list filters, most selective first: the first one given picks the index, the rest filter. */
const FILTERS: { index: IndexName; field: string; value: (q: SessionListQuery) => string | undefined }[] = [
  { index: 'byClientReferenceId', field: 'client_reference_id', value: (q) => q.clientReferenceId },
  { index: 'byRelatedCustomer', field: 'related_customer', value: (q) => q.relatedCustomer },
  { index: 'byRelatedCustomerAccount', field: 'related_customer_account', value: (q) => q.relatedCustomerAccount },
  { index: 'byStatus', field: 'status', value: (q) => q.status },
];

/**
 * One page, newest first. The id range carries the `created` bounds and the cursor (ids sort by
 * creation time), so a page with one filter is a single Query that reads at most `limit + 2` items.
 */
export async function listSessions(
  scope: Scope,
  query: SessionListQuery,
): Promise<{ sessions: VerificationSession[]; hasMore: boolean }> {
  const filters = FILTERS.flatMap((filter) => {
    const value = filter.value(query);
    return value === undefined ? [] : [{ ...filter, value }];
  });
  const [keyFilter, ...otherFilters] = filters;
  const index = tableSchema.indexes[keyFilter?.index ?? 'byScope'];
  const partition = listPartition(scope, KIND, keyFilter && { field: keyFilter.field, value: keyFilter.value });

  const { low, high } = idRange(query);
  if (low > high) return { sessions: [], hasMore: false };
  const cursor = query.startingAfter ?? query.endingBefore;
  const backwards = query.endingBefore !== undefined;

  const names: Record<string, string> = { '#pk': index.partitionKey, '#id': index.sortKey };
  const values: Record<string, unknown> = { ':pk': partition, ':low': low, ':high': high };
  const conditions = otherFilters.map((filter, i) => {
    const attribute = tableSchema.indexes[filter.index].partitionKey;
    names[`#f${i}`] = attribute;
    values[`:f${i}`] = listPartition(scope, KIND, { field: filter.field, value: filter.value });
    return `#f${i} = :f${i}`;
  });

  const wanted = query.limit + 1; // one more than the page tells whether there is more
  const found: VerificationSession[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const input: QueryCommandInput = {
      TableName: tableName(),
      IndexName: index.name,
      KeyConditionExpression: '#pk = :pk AND #id BETWEEN :low AND :high',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: backwards,
      // The cursor's own item may be in range: read one more so that it does not cost a page.
      // A second filter discards items after they are read, so then read in larger steps.
      Limit: conditions.length ? FILTERED_READ_STEP : wanted - found.length + (cursor ? 1 : 0),
      ExclusiveStartKey: startKey,
      ...(conditions.length ? { FilterExpression: conditions.join(' AND ') } : {}),
    };
    const page = await dynamo().send(new QueryCommand(input));
    for (const item of page.Items ?? []) {
      if (item.id !== cursor && found.length < wanted) found.push(item.session as VerificationSession);
    }
    startKey = page.LastEvaluatedKey;
  } while (found.length < wanted && startKey);

  const hasMore = found.length > query.limit;
  const sessions = found.slice(0, query.limit);
  return { sessions: backwards ? sessions.reverse() : sessions, hasMore };
}

/** Inclusive id bounds. Time floors are shorter than any id, so no id equals one. */
function idRange(query: SessionListQuery): { low: string; high: string } {
  const lows = [`${ID_PREFIX}_`];
  const highs = [`${ID_PREFIX}_~`]; // '~' sorts after every base62 character
  const { created } = query;
  if (created?.gte !== undefined) lows.push(idFloorForTime(ID_PREFIX, created.gte));
  if (created?.gt !== undefined) lows.push(idFloorForTime(ID_PREFIX, created.gt + 1));
  if (created?.lt !== undefined) highs.push(idFloorForTime(ID_PREFIX, created.lt));
  if (created?.lte !== undefined) highs.push(idFloorForTime(ID_PREFIX, created.lte + 1));
  if (query.endingBefore !== undefined) lows.push(query.endingBefore);
  if (query.startingAfter !== undefined) highs.push(query.startingAfter);
  return { low: lows.reduce((a, b) => (b > a ? b : a)), high: highs.reduce((a, b) => (b < a ? b : a)) };
}
