/**
 * Capture nonces (functions/domain/capture-nonces.ts) in the table: one item per nonce in the
 * verification session's partition, keyed by the nonce's hash (the nonce itself is never stored),
 * with its attempt, photo (`side`), expiry (`valid_until`) and, once an upload spent it, when; and a counter item
 * that caps how many a session and an attempt may be issued (the page's routes are reached without
 * an API key). No personal data: hashes, ids, times and counts. A nonce's item expires by TTL a day
 * after it could last be used. The counter has no TTL: it must hold its caps for the session's whole
 * life (a TTL would reset them a day after the last nonce). It sits in the session's
 * `byVerificationSession` copies (kind CAPTURE_NONCE_COUNT_KIND) and goes with the session's
 * redaction (functions/flows/redaction.ts), as the upload counts do.
 *
 * - `issueCaptureNonce`: the counter admits one more and the nonce's item is put, in one transaction;
 * - `spendCaptureNonce`: the upload route's guard, in the transaction that counts the upload.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  CAPTURE_NONCE_SECONDS,
  type CaptureSide,
  captureNonceHash,
  MAX_CAPTURE_NONCES_PER_ATTEMPT,
  MAX_CAPTURE_NONCES_PER_SESSION,
  newCaptureNonce,
} from '../domain/capture-nonces';
import type { Scope } from '../domain/scope';
import { dynamo } from './client';
import { objectKey, sessionCopiesPartition, tableName, tableSchema } from './schema';
import { cancellationReasons, putNew, type TransactItem } from './transaction-items';

export const CAPTURE_NONCE_KIND = 'capture_nonce';
export const CAPTURE_NONCE_COUNT_KIND = 'capture_nonce_count';
const DAY_SECONDS = 24 * 60 * 60;

const nonceKey = (scope: Scope, session: string, hash: string) => objectKey(scope, session, `${CAPTURE_NONCE_KIND}#${hash}`);

/** Where a nonce is issued or spent: the verification session (`vs_…`), its attempt (attemptOf()) and the photo. */
export interface CaptureAt {
  session: string;
  attempt: string;
  side: CaptureSide;
}

export type IssuedCaptureNonce =
  | { issued: true; nonce: string; expiresAt: number }
  | { issued: false; cap: 'attempt' | 'session' | 'busy' };

/**
 * Issues a nonce for one photo of the session's attempt, if both caps allow it: one transaction
 * that counts it (at most MAX_CAPTURE_NONCES_PER_ATTEMPT an attempt, MAX_CAPTURE_NONCES_PER_SESSION
 * in all, exact however many requests race) and puts its item. Refused: which cap, or `busy` when
 * DynamoDB cancelled the transaction for a conflict.
 */
export async function issueCaptureNonce(scope: Scope, at: CaptureAt, now: Date): Promise<IssuedCaptureNonce> {
  const seconds = Math.floor(now.getTime() / 1000);
  const expiresAt = seconds + CAPTURE_NONCE_SECONDS;
  const ttl = tableSchema.timeToLiveAttribute;
  const nonce = newCaptureNonce();
  const id = `${CAPTURE_NONCE_KIND}#${captureNonceHash(scope, at.session, nonce)}`;
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName(),
              Key: objectKey(scope, at.session, CAPTURE_NONCE_COUNT_KIND),
              UpdateExpression: 'ADD #total :one, #attempt :one SET #id = :id, #copies = :copies',
              ConditionExpression:
                '(attribute_not_exists(#total) OR #total < :maxTotal) AND (attribute_not_exists(#attempt) OR #attempt < :maxAttempt)',
              ExpressionAttributeNames: {
                '#total': 'total',
                '#attempt': `attempt_${at.attempt}`,
                '#id': 'id',
                '#copies': tableSchema.indexes.byVerificationSession.partitionKey,
              },
              ExpressionAttributeValues: {
                ':one': 1,
                ':maxTotal': MAX_CAPTURE_NONCES_PER_SESSION,
                ':maxAttempt': MAX_CAPTURE_NONCES_PER_ATTEMPT,
                ':id': CAPTURE_NONCE_COUNT_KIND,
                ':copies': sessionCopiesPartition(scope, CAPTURE_NONCE_COUNT_KIND, at.session),
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          putNew({
            ...objectKey(scope, at.session, id),
            id,
            attempt: at.attempt,
            side: at.side,
            valid_until: expiresAt,
            [ttl]: expiresAt + DAY_SECONDS,
          }),
        ],
      }),
    );
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    const count = reasons[0]?.code === 'ConditionalCheckFailed' ? reasons[0].item : undefined;
    if (!count) return { issued: false, cap: 'busy' };
    return { issued: false, cap: Number(count.total ?? 0) >= MAX_CAPTURE_NONCES_PER_SESSION ? 'session' : 'attempt' };
  }
  return { issued: true, nonce, expiresAt };
}

/**
 * The upload route's guard, for its transaction: the nonce's item exists in this session's
 * partition (a nonce of another session, or made up, has none), was issued for this attempt and
 * photo, has not expired and was not spent; it is then marked spent (epoch seconds). The nonce
 * must have its form (isCaptureNonce) before it is hashed here.
 */
export function spendCaptureNonce(scope: Scope, at: CaptureAt, nonce: string, now: Date): TransactItem {
  const seconds = Math.floor(now.getTime() / 1000);
  return {
    Update: {
      TableName: tableName(),
      Key: nonceKey(scope, at.session, captureNonceHash(scope, at.session, nonce)),
      UpdateExpression: 'SET #spent = :now',
      ConditionExpression:
        'attribute_exists(pk) AND #attempt = :attempt AND #side = :side AND #expires > :now AND attribute_not_exists(#spent)',
      ExpressionAttributeNames: { '#spent': 'spent', '#attempt': 'attempt', '#side': 'side', '#expires': 'valid_until' },
      ExpressionAttributeValues: { ':now': seconds, ':attempt': at.attempt, ':side': at.side },
    },
  };
}
