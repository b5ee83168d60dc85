/**
 * Idempotency keys, as Stripe defines them: the first response to a key is saved for 24 hours
 * and replayed for a repeat. There is no separate claim: the saved response is one more action
 * of the change's own `TransactWriteItems` (`completionItem`), conditional on the key being new,
 * so the change, its events and its response are stored together or not at all, in the one call
 * the change makes anyway. Of two requests with one key, the one whose transaction fails on the
 * key's condition learns the other's response from the failure itself (`ALL_OLD`), with no read.
 *
 * A record holds nothing a copy of the table could test guesses against: the key and the
 * fingerprint arrive as keyed digests (functions/http/endpoint.ts), and once the session a
 * response showed is redacted, only which session it was remains (`forgetSavedResponse`).
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../domain/scope';
import { dynamo, isConditionalCheckFailure, itemOfFailedCondition, setAttributesUnlessConditionFails, type StoredItem } from './client';
import { expiresAt, objectKey, tableName, tableSchema } from './schema';
import { cancellationReasons, type TransactItem } from './transaction-items';
import { loadSessionKeys, openedAttribute, sealedAttribute, sealedName } from './session-keys';

export const IDEMPOTENCY_KIND = 'idempotency_key';
const KIND = IDEMPOTENCY_KIND;
const KEEP_SECONDS = 24 * 60 * 60;

export interface SavedResponse {
  statusCode: number;
  /**
   * The body as first answered (JSON). Absent once the session it showed was redacted: then
   * `session` says which session a replay shows, as it is now.
   */
  body?: string;
  /** Generations of the credentials the response showed, which the saved body holds as null. */
  credentials?: Partial<Record<'client_secret' | 'url', number>>;
  /** The session the response shows, if it shows one: the record is a copy of its data until it is redacted. */
  session?: string;
}

/** A request that carries an `Idempotency-Key`. */
export interface IdempotentRequest {
  scope: Scope;
  /** The `Idempotency-Key` as stored: a keyed digest of it (base64url), never the key itself. */
  key: string;
  /** Keyed digest of the method, path and parameters: a repeat must match it. */
  fingerprint: string;
}

/** What a key that already holds a response means for a request with it. */
export type UsedKey = { kind: 'replay'; response: SavedResponse } | { kind: 'mismatch' };

const keyOf = (request: IdempotentRequest) => objectKey(request.scope, `idem_${request.key}`, KIND);

/**
 * The put that saves the response under the key: one more action of a change's transaction, or
 * a write on its own. It fails if the key holds an unexpired response (TTL deletes late, so the
 * expiry is checked too); a key left by an earlier version's claim, with no response, is taken.
 */
export function completionItem(request: IdempotentRequest, response: SavedResponse, now: Date): NonNullable<TransactItem['Put']> {
  const key = keyOf(request);
  const { session, ...saved } = response;
  // A response that shows a session is sealed under the session's key (its key must be loaded, or
  // new); the clear part keeps which session it was, so without the key a replay shows it as it is now.
  const { body: _body, ...clear } = response;
  return {
    TableName: tableName(),
    Item: {
      ...key,
      // Out of every index (a write to one is as dear as the item's own): what a saved session shows of its data is sealed under its
      // key, which redaction destroys, and a replay without it shows the session as it is now. Redaction still finds, through
      // `byVerificationSession`, the records saved before (they carry `verification_session_key`).
      fingerprint: request.fingerprint,
      ...(session ? sealedAttribute(key, 'response', response, clear, request.scope, session) : { response: saved }),
      [tableSchema.timeToLiveAttribute]: expiresAt(now, KEEP_SECONDS),
    },
    ConditionExpression: 'attribute_not_exists(pk) OR #expires <= :now OR attribute_not_exists(#response)',
    ExpressionAttributeNames: { '#expires': tableSchema.timeToLiveAttribute, '#response': 'response' },
    ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * Saves the response of a request that wrote no transaction (a refusal, a change of nothing) with
 * one conditional put. Undefined when saved; what the key already holds when it was used first.
 */
export async function completeKey(request: IdempotentRequest, response: SavedResponse, now: Date): Promise<UsedKey | undefined> {
  try {
    if (response.session) await loadSessionKeys([{ scope: request.scope, id: response.session }]);
    await dynamo().send(new PutCommand(completionItem(request, response, now)));
    return undefined;
  } catch (error) {
    const used = await usedKey(request, error);
    if (used) return used;
    throw error;
  }
}

/**
 * What the key holds, when `error` is the failure of its own condition: a conditional put's
 * `ConditionalCheckFailedException`, or a cancelled transaction whose action for this key failed
 * its condition (found by the item DynamoDB returns, wherever the action sat). Undefined for any
 * other failure.
 */
export async function usedKey(request: IdempotentRequest, error: unknown): Promise<UsedKey | undefined> {
  const { pk, sk } = keyOf(request);
  const item = isConditionalCheckFailure(error)
    ? itemOfFailedCondition(error)
    : cancellationReasons(error)?.find(
        (reason) => reason.code === 'ConditionalCheckFailed' && reason.item?.pk === pk && reason.item?.sk === sk,
      )?.item;
  return item && answerOf(request, item);
}

/**
 * The response saved under the key, if any (a consistent read): for a request that fails without
 * writing (its parameters, a conflict), so a key already answered still gives that answer.
 */
export async function savedUnderKey(request: IdempotentRequest, now: Date): Promise<UsedKey | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keyOf(request), ConsistentRead: true }));
  const expired = Item && Item[tableSchema.timeToLiveAttribute] <= Math.floor(now.getTime() / 1000);
  return Item?.response && !expired ? answerOf(request, Item) : undefined;
}

/**
 * What the key holds for this request: its response opened with the session's key (read again:
 * a saved response cannot tell that its session was redacted since, session-keys.ts), or a mismatch.
 */
async function answerOf(request: IdempotentRequest, item: StoredItem): Promise<UsedKey> {
  if (item.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
  const session = (item.response as SavedResponse).session;
  if (!session || !item[sealedName('response')]) return { kind: 'replay', response: item.response as SavedResponse };
  await loadSessionKeys([{ scope: request.scope, id: session }], { fresh: true });
  return { kind: 'replay', response: openedAttribute<SavedResponse>(item, 'response', request.scope, session) };
}

/** Whether a record found through a session's copies still holds what its response showed (in clear, or sealed). */
export const holdsSavedBody = (item: StoredItem): boolean =>
  typeof item.response?.body === 'string' || item[sealedName('response')] !== undefined;

/**
 * Redaction of one record found through the copies of `sessionId`: its saved body (and which
 * credential generations it showed) goes; the fingerprint, the status code, the expiry and which
 * session it showed stay, so the key answers a repeat as before, showing the session as it is
 * now, and a request with other parameters still gets `idempotency_error`. One conditional
 * UpdateItem; a record that is gone (TTL), already forgotten, or taken since by a later request
 * with the key (another expiry) is left as it is.
 */
export async function forgetSavedResponse(item: StoredItem, sessionId: string): Promise<void> {
  const ttl = tableSchema.timeToLiveAttribute;
  await setAttributesUnlessConditionFails(
    item,
    { response: { statusCode: item.response.statusCode, session: sessionId } satisfies SavedResponse },
    {
      remove: [sealedName('response')],
      condition: '#expires = :expires AND (attribute_exists(#response.body) OR attribute_exists(#sealed))',
      names: { '#response': 'response', '#sealed': sealedName('response'), '#expires': ttl },
      values: { ':expires': item[ttl] },
    },
  );
}
