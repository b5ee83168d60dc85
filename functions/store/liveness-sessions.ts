/**
 * Face Liveness sessions (functions/checks/liveness/): one item per liveness session the page
 * started, in the verification session's partition, bound to its scope, session, attempt and mode,
 * and a counter item that caps how many a session and an attempt may start (each one costs a
 * Rekognition call and the page's routes are reached without an API key). No personal data: ids,
 * times and counts. Both expire by TTL (LIVENESS_RECORD_SECONDS), after the checks can still read them.
 *
 * A liveness session's life, each step one conditional write:
 * - `reserveLivenessSession`: the counter admits one more (at most MAX_LIVENESS_PER_ATTEMPT an
 *   attempt, MAX_LIVENESS_PER_SESSION in all), before AWS is called, so racing requests never pass the cap;
 * - `putLivenessSession`: the record, with the id AWS gave;
 * - `claimForSubmission` (in submit's transaction): the record names the submission, once;
 * - `claimForReview` (in the hold's transaction, when the review policy holds the verdict): the record is held, once;
 * - `claimForVerdict` (in the verdict's transaction, or the reviewer's decision's): the record names the report, once.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../domain/scope';
import { dynamo, isConditionalCheckFailure, itemOfFailedCondition } from './client';
import { objectKey, tableName, tableSchema } from './schema';
import type { TransactItem } from './transaction-items';

export const LIVENESS_SESSION_KIND = 'liveness_session';
export const LIVENESS_COUNT_KIND = 'liveness_count';
/** At most this many liveness sessions an attempt (a retry after a failed liveness step, twice). */
export const MAX_LIVENESS_PER_ATTEMPT = 3;
/** At most this many liveness sessions a verification session, whatever its attempts. */
export const MAX_LIVENESS_PER_SESSION = 10;
/** Rekognition's liveness session expires 3 minutes after it is created (AWS, face-liveness-programming-api). */
export const LIVENESS_START_SECONDS = 3 * 60;
/** A liveness session may be submitted up to 30 minutes after it was created; later, the person starts another. */
export const LIVENESS_SUBMIT_SECONDS = 30 * 60;
/** The items stay 2 days: past a submission's 25-hour lifetime, so the checks can always read the record. */
const LIVENESS_RECORD_SECONDS = 2 * 24 * 60 * 60;

export interface LivenessSessionRecord {
  /** Rekognition's SessionId (a UUID), or the stand-in's. */
  id: string;
  /** The verification session (`vs_…`). */
  session: string;
  /** The attempt it was started for (attemptOf(): the last report's id, `-` before the first). */
  attempt: string;
  mode: 'aws' | 'stand_in';
  challenge: string;
  /** Epoch seconds. */
  created: number;
  /** Epoch seconds: when the liveness session can no longer be started (created + 3 minutes). */
  expires_at: number;
  /** The submission that named it (`vsub_…`), once submitted. */
  submission?: string;
  /** The report whose verdict read its result (`vr_…`), once concluded. */
  report?: string;
  /** Epoch seconds: when the review policy held the verdict that read its result (the report follows the reviewer's decision). */
  review_held?: number;
}

/** Which liveness session a verdict read, for which submission: what the verdict's (or the hold's) transaction claims. */
export interface LivenessClaim {
  /** The verification session (`vs_…`). */
  session: string;
  /** Rekognition's SessionId. */
  id: string;
  /** The submission (`vsub_…`) that named it. */
  submission: string;
}

const recordKey = (scope: Scope, session: string, id: string) => objectKey(scope, session, `${LIVENESS_SESSION_KIND}#${id}`);
const countKey = (scope: Scope, session: string) => objectKey(scope, session, LIVENESS_COUNT_KIND);
const ttlOf = (created: number) => created + LIVENESS_RECORD_SECONDS;

/**
 * Counts one more liveness session for the attempt, if both caps allow it: one conditional
 * UpdateItem on the session's counter, exact however many requests race.
 * @returns `{ admitted: false, cap }` naming the cap that refused.
 */
export async function reserveLivenessSession(
  scope: Scope,
  at: { session: string; attempt: string },
  now: Date,
): Promise<{ admitted: true } | { admitted: false; cap: 'attempt' | 'session' }> {
  const attemptCount = `attempt_${at.attempt}`;
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: countKey(scope, at.session),
        UpdateExpression: 'ADD #total :one, #attempt :one SET #ttl = :ttl',
        ConditionExpression:
          '(attribute_not_exists(#total) OR #total < :maxTotal) AND (attribute_not_exists(#attempt) OR #attempt < :maxAttempt)',
        ExpressionAttributeNames: { '#total': 'total', '#attempt': attemptCount, '#ttl': tableSchema.timeToLiveAttribute },
        ExpressionAttributeValues: {
          ':one': 1,
          ':maxTotal': MAX_LIVENESS_PER_SESSION,
          ':maxAttempt': MAX_LIVENESS_PER_ATTEMPT,
          ':ttl': ttlOf(Math.floor(now.getTime() / 1000)),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { admitted: true };
  } catch (error) {
    if (!isConditionalCheckFailure(error)) throw error;
    const old = itemOfFailedCondition(error);
    return { admitted: false, cap: Number(old?.total ?? 0) >= MAX_LIVENESS_PER_SESSION ? 'session' : 'attempt' };
  }
}

/** Stores a new liveness session's record; throws if one with its id exists (AWS never repeats an id). */
export async function putLivenessSession(scope: Scope, record: LivenessSessionRecord): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...recordKey(scope, record.session, record.id), ...record, [tableSchema.timeToLiveAttribute]: ttlOf(record.created) },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** The record of liveness session `id` of this scope's session; undefined for another session's id, or an unknown one. */
export async function getLivenessSession(scope: Scope, session: string, id: string): Promise<LivenessSessionRecord | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: recordKey(scope, session, id), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const { pk: _pk, sk: _sk, [tableSchema.timeToLiveAttribute]: _ttl, ...record } = Item;
  return record as LivenessSessionRecord;
}

/** Submit's guard: the record exists and no submission named it before; it then names `submission`. */
export const claimForSubmission = (scope: Scope, record: LivenessSessionRecord, submission: string): TransactItem => ({
  Update: {
    TableName: tableName(),
    Key: recordKey(scope, record.session, record.id),
    UpdateExpression: 'SET #submission = :submission',
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#submission)',
    ExpressionAttributeNames: { '#submission': 'submission' },
    ExpressionAttributeValues: { ':submission': submission },
  },
});

/**
 * The hold's guard (functions/store/review-queue.ts `holdForReview`): the record names this submission, no
 * verdict read it and no hold claimed it before; it then names when it was held. The reviewer's decision
 * later claims it for its report with `claimForVerdict`, as an automated verdict does.
 */
export const claimForReview = (scope: Scope, at: LivenessClaim, held: number): TransactItem => ({
  Update: {
    TableName: tableName(),
    Key: recordKey(scope, at.session, at.id),
    UpdateExpression: 'SET #held = :held',
    ConditionExpression: '#submission = :submission AND attribute_not_exists(#report) AND attribute_not_exists(#held)',
    ExpressionAttributeNames: { '#held': 'review_held', '#report': 'report', '#submission': 'submission' },
    ExpressionAttributeValues: { ':held': held, ':submission': at.submission },
  },
});

/** The verdict's guard: the record names this submission and no verdict read it before; it then names `report`. */
export const claimForVerdict = (scope: Scope, at: LivenessClaim, report: string): TransactItem => ({
  Update: {
    TableName: tableName(),
    Key: recordKey(scope, at.session, at.id),
    UpdateExpression: 'SET #report = :report',
    ConditionExpression: '#submission = :submission AND attribute_not_exists(#report)',
    ExpressionAttributeNames: { '#report': 'report', '#submission': 'submission' },
    ExpressionAttributeValues: { ':report': report, ':submission': at.submission },
  },
});
