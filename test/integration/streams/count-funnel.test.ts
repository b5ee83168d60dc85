/**
 * The funnel counter driven with Lambda-shaped stream records against DynamoDB Local: each session
 * counts once per stage and error code on its creation day, whatever the stream hands over again
 * (a whole batch twice, a record of an older change after a newer one), in its own account and mode only.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { newAccountId } from '../../../functions/domain/api-keys';
import { newObjectId } from '../../../functions/domain/ids';
import type { Scope } from '../../../functions/domain/scope';
import { firstCredentials } from '../../../functions/domain/session-credentials';
import type { VerificationSession } from '../../../functions/domain/verification-session-types';
import { readFunnel } from '../../../functions/store/funnel-counts';
import { objectKey } from '../../../functions/store/schema';
import { handler } from '../../../functions/streams/count-funnel';

const now = new Date();
const today = now.toISOString().slice(0, 10);
const created = Math.floor(now.getTime() / 1000) - 60;

/** A session item's clear part as the stream carries it. */
function sessionItem(scope: Scope, id: string, change: Partial<VerificationSession> = {}): Record<string, unknown> {
  const session = {
    id,
    account: scope.account,
    mode: scope.mode,
    created,
    status: 'requires_input',
    type: 'document',
    metadata: {},
    last_error: null,
    last_verification_report: null,
    redaction: null,
    credentials: firstCredentials(new Date(created * 1000)),
    submission: null,
    ...change,
  };
  return { ...objectKey(scope, id, 'verification_session'), id, version: 1, session };
}

let sequence = 1;
function record(after: Record<string, unknown>, before?: Record<string, unknown>): DynamoDBRecord {
  const image = (item: Record<string, unknown>) => marshall(item, { removeUndefinedValues: true }) as never;
  return {
    eventName: before ? 'MODIFY' : 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: image({ pk: after.pk, sk: after.sk }),
      NewImage: image(after),
      ...(before ? { OldImage: image(before) } : {}),
      SequenceNumber: String(sequence++),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

const opened = () => {
  const credentials = firstCredentials(new Date(created * 1000));
  return { ...credentials, url: { ...credentials.url, used: true, uses: 1 } };
};

describe('the funnel counter', () => {
  it('counts each session once per stage and error code, in its own scope, however often a batch is delivered', async () => {
    const scope: Scope = { account: newAccountId(), mode: 'test' };
    const ids = Array.from({ length: 5 }, () => newObjectId('vs'));
    const [onlyCreated, onlyOpened, submitted, verified, failed] = ids as [string, string, string, string, string];
    const batch: DynamoDBRecord[] = [];
    for (const id of ids) batch.push(record(sessionItem(scope, id)));
    for (const id of [onlyOpened, submitted, verified, failed])
      batch.push(record(sessionItem(scope, id, { credentials: opened() }), sessionItem(scope, id)));
    for (const id of [submitted, verified, failed])
      batch.push(
        record(
          sessionItem(scope, id, { credentials: opened(), status: 'processing', submission: 'vsub_1' }),
          sessionItem(scope, id, { credentials: opened() }),
        ),
      );
    const processing = (id: string) => sessionItem(scope, id, { credentials: opened(), status: 'processing', submission: 'vsub_1' });
    batch.push(
      record(
        sessionItem(scope, verified, { credentials: opened(), status: 'verified', last_verification_report: 'vr_1' }),
        processing(verified),
      ),
    );
    const failedOnce = {
      credentials: opened(),
      last_verification_report: 'vr_2',
      last_error: { code: 'document_expired', reason: 'expired' },
    };
    batch.push(record(sessionItem(scope, failed, failedOnce), processing(failed)));
    // The person tries again and fails with another code, then once more with the first.
    const failedTwice = { ...failedOnce, last_error: { code: 'document_unverified_other', reason: 'other' } };
    batch.push(record(sessionItem(scope, failed, failedTwice), sessionItem(scope, failed, failedOnce)));
    // A change that reaches nothing new (metadata, a renewed link) counts nothing.
    batch.push(record(sessionItem(scope, onlyCreated, { metadata: { a: 'b' } }), sessionItem(scope, onlyCreated)));

    await expect(handler({ Records: batch })).resolves.toEqual({ batchItemFailures: [] });
    // At least once: the whole batch again, and again in reverse order.
    await expect(handler({ Records: batch })).resolves.toEqual({ batchItemFailures: [] });
    await expect(handler({ Records: [...batch].reverse() })).resolves.toEqual({ batchItemFailures: [] });

    const funnel = await readFunnel(scope, now);
    const expected = {
      stages: { created: 5, opened: 4, submitted: 3, verified: 1 },
      errors: { document_expired: 1, document_unverified_other: 1 },
    };
    expect(funnel.total).toEqual(expected);
    expect(funnel.days).toHaveLength(30);
    expect(funnel.days.at(-1)).toEqual({ day: today, ...expected });
    expect(funnel.days.slice(0, -1).every((day) => day.stages.created === 0)).toBe(true);

    // Another account, and the same account's live mode, see none of it.
    for (const other of [
      { account: newAccountId(), mode: 'test' as const },
      { account: scope.account, mode: 'live' as const },
    ]) {
      expect((await readFunnel(other, now)).total).toEqual({ stages: { created: 0, opened: 0, submitted: 0, verified: 0 }, errors: {} });
    }
  });

  it('ignores every other kind of item and a session older than the window', async () => {
    const scope: Scope = { account: newAccountId(), mode: 'test' };
    const old = sessionItem(scope, newObjectId('vs'));
    (old.session as { created: number }).created = created - 40 * 24 * 60 * 60;
    const other = { ...sessionItem(scope, newObjectId('vs')), sk: 'verification_report' };
    await expect(handler({ Records: [record(old), record(other)] })).resolves.toEqual({ batchItemFailures: [] });
    expect((await readFunnel(scope, now)).total.stages.created).toBe(0);
  });
});
