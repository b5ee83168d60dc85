/**
 * VerificationSessions in DynamoDB: one item each, guarded by a version number, written in one
 * transaction with the events the change emits (the transactional outbox): both or neither.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { resourceMissing, VerityError } from '../domain/errors';
import type { SessionStatus, SessionType, VerificationSession } from '../domain/verification-session';
import type { Scope } from '../domain/scope';
import { firstCredentials } from '../domain/session-credentials';
import type { VerificationReport } from '../domain/verification-report';
import type { StripeEvent } from '../domain/events';
import type { CreatedRange } from './list-page';
import { dynamo, type StoredItem } from './client';
import { eventItem } from './event-items';
import { filteredIndexQuery, queryPage } from './list-page';
import { cancellationReasons, putNew, type TransactItem } from './transaction-items';
import { itemsOfPartition } from './partition';
import { listPartition, objectKey, tableName, tableSchema } from './schema';
import { withMetadataOfStored, withStoredMetadata } from './metadata-attribute';
import { withoutPersonalValues } from '../domain/redaction';
import { filterPartition } from './filter-partitions';
import { keyEncryptionKey } from './key-encryption-key';
import {
  isSessionKeyLoaded,
  loadSessionKeys,
  newSessionKey,
  openedAttribute,
  sealedAttribute,
  sessionKeySettled,
  sessionKeyShredded,
  sessionKeyTombstoneWrites,
  sessionKeyWrites,
} from './session-keys';

const KIND = 'verification_session';
/** The sort key of every session's item: what the table's stream consumers tell a session's records by. */
export const SESSION_KIND = KIND;
/** How often a change is re-decided on fresh state after losing a race, before giving up with 409. */
const MAX_ATTEMPTS = 10;
/** A short random pause between attempts keeps writers that keep colliding from colliding again. */
const pauseBeforeRetry = (attempt: number) => new Promise((done) => setTimeout(done, Math.random() * 5 * (attempt + 1)));

export interface StoredSession {
  session: VerificationSession;
  version: number;
}

/** A change and the events it emits, as the core and the wire layer decided them. */
export interface SessionChange {
  session: VerificationSession;
  events: StripeEvent[];
  /** Other items the change writes or removes with it (a submission, a report), in the same transaction. */
  items?: TransactItem[];
  /** The report the change creates, if it concludes a submission. */
  report?: VerificationReport;
}

const scopeOf = (session: VerificationSession): Scope => ({ account: session.account, mode: session.mode });

/**
 * The session's item. Its personal values (client reference, metadata, provided details, related
 * person, verified outputs, return URL) are sealed under the session's key (session-keys.ts):
 * `session` holds the session as redaction would leave it, `session_sealed` what differs from it (`sealedPart`). A
 * session marked for redaction holds nothing personal (the redact request removed it) and is
 * stored in clear, no longer findable by its client reference. The session's key must be loaded (or new).
 */
export function sessionItem(session: VerificationSession, version: number): Record<string, unknown> {
  const scope = scopeOf(session);
  const byValue = (field: string, value: string | null) => (value === null ? undefined : filterPartition(scope, KIND, field, value));
  const { indexes } = tableSchema;
  // Marked for redaction: its key is destroyed by the transaction writing this, and nothing personal is kept.
  const redacted = session.redaction !== null;
  const key = objectKey(scope, session.id, KIND);
  return {
    ...key,
    id: session.id,
    version,
    [indexes.byScope.partitionKey]: listPartition(scope, KIND),
    [indexes.byStatus.partitionKey]: byValue('status', session.status),
    // A redacted reference is no longer findable: not even its hash is kept.
    [indexes.byClientReferenceId.partitionKey]: redacted ? undefined : byValue('client_reference_id', session.client_reference_id),
    [indexes.byRelatedCustomer.partitionKey]: byValue('related_customer', session.related_customer),
    [indexes.byRelatedCustomerAccount.partitionKey]: byValue('related_customer_account', session.related_customer_account),
    // The console's list filters by type (functions/console/).
    [indexes.byType.partitionKey]: byValue('type', session.type),
    ...(session.redaction_due != null
      ? {
          [indexes.byRedactionDue.partitionKey]: REDACTION_DUE_PARTITION,
          [indexes.byRedactionDue.sortKey]: redactionDueSort(session.redaction_due, session.id),
        }
      : {}),
    ...(redacted
      ? { session: withStoredMetadata(withoutPersonalValues(session)) }
      : sealedAttribute(
          key,
          'session',
          withStoredMetadata(session),
          withStoredMetadata(withoutPersonalValues(session)),
          scope,
          session.id,
        )),
  };
}

/** The one partition of sessions waiting for redaction (see `byRedactionDue`). */
const REDACTION_DUE_PARTITION = 'redaction_due';
/** Sorts by due time (zero-padded epoch seconds), then by session. */
const redactionDueSort = (due: number, id: string) => `${String(due).padStart(12, '0')}#${id}`;

/** Sessions whose redaction fell due at or before `due` (epoch seconds) and is not finished. */
export async function* sessionsDueForRedaction(due: number): AsyncGenerator<VerificationSession> {
  // '~' sorts after every id: everything due at that second is included.
  for await (const item of itemsOfPartition(tableSchema.indexes.byRedactionDue, REDACTION_DUE_PARTITION, redactionDueSort(due, '~'))) {
    // What the backstop needs (ids, when): the clear part, with no key read.
    yield clearSessionOfItem(item);
  }
}

/**
 * The session, read consistently. Its key comes from this container's cache (a warm function
 * reads no key), or is read beside it, at the same time, from the key table.
 */
export async function getSession(scope: Scope, id: string): Promise<StoredSession | undefined> {
  const [{ Item }] = await Promise.all([
    dynamo().send(new GetCommand({ TableName: tableName(), Key: objectKey(scope, id, KIND), ConsistentRead: true })),
    isSessionKeyLoaded(scope, id) ? undefined : loadSessionKeys([{ scope, id }]),
  ]);
  return Item ? { session: sessionOfItem(Item), version: Item.version } : undefined;
}

/**
 * The session an item holds. Items written before a field existed get its neutral value: first
 * credentials issued at creation (long expired, so the next retrieve renews them), nothing
 * submitted, no redaction planned.
 *
 * A session marked for redaction is its clear part, with no key: the item itself says the key is
 * gone, and this container learns it from the item (so it opens none of the session's other
 * items with a key it cached earlier). Its personal values are removed again on reading, for an
 * item written before the redact request removed them (a redaction asked for before this, or a
 * session stored before keys).
 */
export function sessionOfItem(item: StoredItem): VerificationSession {
  const clear = item.session as VerificationSession;
  if (clear.redaction) {
    sessionKeyShredded(scopeOf(clear), clear.id);
    return neutralDefaults(withoutPersonalValues(clear));
  }
  return neutralDefaults(openedAttribute(item, 'session', scopeOf(clear), clear.id));
}

/** The session as its item keeps it in clear: its personal values as redaction leaves them. */
export const clearSessionOfItem = (item: StoredItem): VerificationSession => neutralDefaults(item.session);

function neutralDefaults(stored: VerificationSession): VerificationSession {
  const session = stored as Partial<VerificationSession> & VerificationSession;
  return {
    ...withMetadataOfStored(session),
    credentials: session.credentials ?? firstCredentials(new Date(session.created * 1000)),
    submission: session.submission ?? null,
    redaction_due: session.redaction_due ?? null,
  };
}

/**
 * One more item a change's transaction writes: the saved response of an idempotent request.
 * `put` is asked again for each attempt, as the change may be decided again; `stored` is told
 * once a transaction holding it succeeded. When its own condition fails (the key was used
 * first), the transaction's error is thrown as it is, for the caller to read, and never retried.
 */
export interface AlsoWrite {
  put(change: SessionChange): NonNullable<TransactItem['Put']>;
  stored(): void;
}

/** The session item, conditional on `condition`, and one new item per event: one transaction. */
async function writeChange(
  change: SessionChange,
  version: number,
  condition: { expression: string; values?: Record<string, unknown> },
  also?: AlsoWrite,
): Promise<void> {
  const table = tableName();
  const scope = scopeOf(change.session);
  const id = change.session.id;
  await keyEncryptionKey();
  // A new session's key is written with it; so is the first key of a session stored before keys.
  if (version === 1) newSessionKey(scope, id);
  // Marked for redaction: the key is destroyed by this very transaction (redaction takes effect
  // when asked); what it seals under the key (the redacted forms) is unreadable with it.
  const shreds = change.session.redaction !== null;
  let written = false;
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table,
              Item: sessionItem(change.session, version),
              ConditionExpression: condition.expression,
              ExpressionAttributeValues: condition.values,
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          ...change.events.map((event) => putNew(eventItem(event, scopeOf(change.session)))),
          ...(change.items ?? []),
          ...(also ? [{ Put: also.put(change) }] : []),
          ...(shreds ? sessionKeyTombstoneWrites(scope, id) : sessionKeyWrites(scope, id)),
        ],
      }),
    );
    written = true;
  } finally {
    sessionKeySettled(scope, id, written, shreds);
  }
  also?.stored();
}

/**
 * Writes a new session with its events. A transaction that collided with another on one of its
 * items (`TransactionConflict`: a twin request writing the same idempotency key) is sent again,
 * and then fails on that key's condition or succeeds; a failed condition is thrown as it is.
 */
export async function insertSession(change: SessionChange, also?: AlsoWrite): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await writeChange(change, 1, { expression: 'attribute_not_exists(pk)' }, also);
    } catch (error) {
      const lost = lostRace(error);
      if (!lost || lost.item || attempt + 1 >= MAX_ATTEMPTS) throw error;
      await pauseBeforeRetry(attempt);
    }
  }
}

/**
 * Applies a change to the stored session (read afresh unless the caller has just read it). The
 * write is conditional on the version that was read; when another request changed the session in between, the change is decided again on
 * the session as it now is (returned by the failed write itself), so a change that is no longer
 * allowed fails with the domain's error and an allowed one is never lost.
 */
export async function changeSession(
  scope: Scope,
  id: string,
  decide: (session: VerificationSession, decidedAt: Date) => SessionChange | null,
  also?: AlsoWrite,
  read: StoredSession | undefined | Promise<StoredSession | undefined> = getSession(scope, id),
): Promise<SessionChange> {
  let current = await read;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (!current) throw resourceMissing('verification_session', id);
    // Events are stamped when the change is decided, not when the request arrived, so the events
    // of one session sort in the order their changes were written.
    const change = decide(current.session, new Date());
    // Nothing to write: the session as it is answers the request.
    if (change === null) return { session: current.session, events: [] };
    try {
      await writeChange(change, current.version + 1, { expression: 'version = :expected', values: { ':expected': current.version } }, also);
      return change;
    } catch (error) {
      const lost = lostRace(error);
      if (!lost) throw error;
      if (lost.item) await loadSessionKeys([{ scope, id }]);
      current = lost.item ? { session: sessionOfItem(lost.item), version: lost.item.version } : await getSession(scope, id);
      await pauseBeforeRetry(attempt);
    }
  }
  throw new VerityError(
    'conflict',
    'lock_timeout',
    'This VerificationSession is being changed by other requests right now. Retry the request.',
  );
}

/**
 * Whether a failed transaction lost a race for the session item (another write came first), and
 * the item as that write left it when DynamoDB returned it.
 */
function lostRace(error: unknown): { item?: StoredItem } | undefined {
  const reasons = cancellationReasons(error);
  if (!reasons) return undefined;
  const [session, ...others] = reasons;
  // Another action's condition failed too (an idempotency key used first, an event id taken):
  // deciding again cannot change that, and the caller reads the reason.
  if (others.some((reason) => reason.code === 'ConditionalCheckFailed')) return undefined;
  if (session?.code === 'ConditionalCheckFailed') return { item: session.item };
  if (reasons.some((reason) => reason.code === 'TransactionConflict')) return {};
  return undefined;
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
  type?: SessionType;
}

export async function listSessions(scope: Scope, query: SessionListQuery): Promise<{ sessions: VerificationSession[]; hasMore: boolean }> {
  // A reference is looked up by its keyed digest, made with the KEK.
  await keyEncryptionKey();
  // Most selective first: the first filter given picks the index.
  const { data, hasMore } = await queryPage(
    filteredIndexQuery(scope, KIND, 'vs', [
      { index: 'byClientReferenceId', field: 'client_reference_id', value: query.clientReferenceId },
      { index: 'byRelatedCustomer', field: 'related_customer', value: query.relatedCustomer },
      { index: 'byRelatedCustomerAccount', field: 'related_customer_account', value: query.relatedCustomerAccount },
      { index: 'byStatus', field: 'status', value: query.status },
      { index: 'byType', field: 'type', value: query.type },
    ]),
    query,
    sessionOfItem,
    // Keys cached per container: each item's own `redaction` says whether its key is gone
    // (session-keys.ts), so a list page stays one Query. A global index is eventually consistent:
    // for its propagation delay (typically under a second) a page may still hold an item as it was
    // before a redact request, and a warm container opens it (docs/reference/redaction.md).
    (items) => loadSessionKeys(items.map((item) => ({ scope, id: item.id as string }))),
    // The redact request removes the session from its reference's index; a copy of the session in
    // that index older than the request, its reference already redacted, is not shown.
    (session) => query.clientReferenceId === undefined || session.client_reference_id === query.clientReferenceId,
  );
  return { sessions: data, hasMore };
}
