/**
 * Idempotency keys, as Stripe defines them: the first response to a key is saved for 24 hours
 * and replayed for a repeat. A request that changes state saves its response in the same
 * transaction as the change (`completionItem`), so a crash can never leave a change without
 * its saved response, or a saved response without its change.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import type { Scope } from '../domain/verification-session';
import { dynamo, isConditionalCheckFailure, itemOfFailedCondition } from './client';
import { expiresAt, objectKey, sessionCopiesPartition, tableName, tableSchema } from './schema';

export const IDEMPOTENCY_KIND = 'idempotency_key';
const KIND = IDEMPOTENCY_KIND;
const KEEP_SECONDS = 24 * 60 * 60;
/** A claim older than this is taken to be a crashed request; functions time out well before. */
const CLAIM_SECONDS = 60;

export interface SavedResponse {
  statusCode: number;
  body: string;
  /** Generations of the credentials the response showed, which the saved body holds as null. */
  credentials?: Partial<Record<'client_secret' | 'url', number>>;
  /** The session the response shows, if it shows one: the record is a copy of its data. */
  session?: string;
}

export interface IdempotencyClaim {
  scope: Scope;
  key: string;
  fingerprint: string;
  /** The request holding the claim. */
  owner: string;
}

export type ClaimOutcome =
  | { kind: 'claimed' }
  | { kind: 'replay'; response: SavedResponse }
  | { kind: 'mismatch' }
  | { kind: 'in_flight' };

const keyOf = (claim: IdempotencyClaim) =>
  objectKey(claim.scope, `idem_${createHash('sha256').update(claim.key).digest('base64url')}`, KIND);

export async function claimKey(claim: IdempotencyClaim, now: Date): Promise<ClaimOutcome> {
  const seconds = Math.floor(now.getTime() / 1000);
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keyOf(claim),
          fingerprint: claim.fingerprint,
          owner: claim.owner,
          state: 'in_progress',
          claimed_until: seconds + CLAIM_SECONDS,
          [tableSchema.timeToLiveAttribute]: expiresAt(now, KEEP_SECONDS),
        },
        ConditionExpression:
          'attribute_not_exists(pk) OR #expires <= :now OR (#state = :in_progress AND claimed_until < :now)',
        ExpressionAttributeNames: { '#expires': tableSchema.timeToLiveAttribute, '#state': 'state' },
        ExpressionAttributeValues: { ':now': seconds, ':in_progress': 'in_progress' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { kind: 'claimed' };
  } catch (error) {
    if (!isConditionalCheckFailure(error)) throw error;
    const saved = itemOfFailedCondition(error);
    if (!saved || saved.fingerprint !== claim.fingerprint) return { kind: 'mismatch' };
    if (saved.state === 'done') return { kind: 'replay', response: saved.response as SavedResponse };
    return { kind: 'in_flight' };
  }
}

/** The write that saves the response: on its own, or as one more action of a change's transaction. */
export function completionItem(claim: IdempotencyClaim, response: SavedResponse, now: Date) {
  const key = keyOf(claim);
  const { session, ...saved } = response;
  return {
    TableName: tableName(),
    Item: {
      ...key,
      // A saved session is a copy of its data: redaction finds and removes it through this index.
      ...(session ? { id: key.pk, [tableSchema.indexes.byVerificationSession.partitionKey]: sessionCopiesPartition(claim.scope, KIND, session) } : {}),
      fingerprint: claim.fingerprint,
      owner: claim.owner,
      state: 'done',
      response: saved,
      [tableSchema.timeToLiveAttribute]: expiresAt(now, KEEP_SECONDS),
    },
    ConditionExpression: '#owner = :owner AND #state = :in_progress',
    ExpressionAttributeNames: { '#owner': 'owner', '#state': 'state' },
    ExpressionAttributeValues: { ':owner': claim.owner, ':in_progress': 'in_progress' },
  };
}

export async function completeKey(claim: IdempotencyClaim, response: SavedResponse, now: Date): Promise<void> {
  await dynamo().send(new PutCommand(completionItem(claim, response, now)));
}

/** Gives the key back when the request failed on Verity's side, so a retry runs it again. */
export async function releaseKey(claim: IdempotencyClaim): Promise<void> {
  await dynamo().send(
    new DeleteCommand({
      TableName: tableName(),
      Key: keyOf(claim),
      ConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':owner': claim.owner },
    }),
  );
}
