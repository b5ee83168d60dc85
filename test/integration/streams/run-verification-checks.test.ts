/**
 * The checks stream and runner, driven with Lambda-shaped stream records (as AWS delivers them)
 * against DynamoDB Local, through the local checks queue: each new submission is concluded once,
 * whatever is redelivered, and no stream batch waits for a check or a delay.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as runQueuedChecks, runChecksJob } from '../../../functions/checks/checks-runner';
import { jobBody, useChecksQueue } from '../../../functions/checks/queue';
import { startLocalChecksQueue, type LocalChecksQueue } from '../../../local/checks-queue';
import type { Submission } from '../../../functions/domain/verification-checks';
import { createVerificationSession } from '../../../functions/domain/verification-session';
import { changeWithEvents } from '../../../functions/flows/outbox';
import { dynamo } from '../../../functions/store/client';
import { tableName } from '../../../functions/store/schema';
import { changeSession, getSession, insertSession } from '../../../functions/store/sessions';
import { submissionItem, submissionKey } from '../../../functions/store/submissions';
import { listReports } from '../../../functions/store/verification-reports';
import { handler } from '../../../functions/streams/run-verification-checks';
import { TTL_DELETION_IDENTITY } from '../../../functions/streams/ttl-deletion';
import { submitChange } from '../../../functions/flows/verification-flow';
import { newObjectId } from '../../../functions/domain/ids';
import { streamRecord } from '../../support/events';
import { eventually } from '../../support/verification';

const scope = { account: `acct_checks${Date.now()}`, mode: 'test' as const };
const defaultScope = scope;
let queue: LocalChecksQueue;
beforeAll(() => {
  queue = startLocalChecksQueue(runChecksJob);
  useChecksQueue(queue);
});
afterAll(async () => {
  useChecksQueue(undefined);
  await queue.stop();
});

const statusOf = async (session: { id: string }, of = scope) => (await getSession(of, session.id))!.session.status;

/** A session submitted as the page submits it; returns the stream record of its new submission item. */
async function submitted(extra: Partial<Submission> = {}, scope = defaultScope) {
  const now = new Date();
  const session = createVerificationSession({ type: 'document' }, { id: newObjectId('vs', now.getTime()), scope, now });
  await insertSession(changeWithEvents(null, session, { request: null, now }));
  const submission: Submission = {
    id: newObjectId('vsub', now.getTime()),
    session: session.id,
    created: 0,
    consent: 'given',
    files: {},
    ...extra,
  };
  await changeSession(scope, session.id, (current) => submitChange(current, submission, [], { request: null, now }));
  return { session, submission, record: streamRecord(submissionItem(scope, submission, now)) };
}

describe('the checks worker', () => {
  it('concludes a new submission with a report, and removes the submission', async () => {
    const { session, submission, record } = await submitted({ test_case: 'selfie_manipulated' });
    expect(await handler({ Records: [record] })).toEqual({ batchItemFailures: [] });
    await eventually(
      () => statusOf(session),
      (status) => expect(status).toBe('requires_input'),
    );
    const stored = await getSession(scope, session.id);
    expect(stored!.session).toMatchObject({ status: 'requires_input', last_error: { code: 'selfie_manipulated' }, submission: null });
    expect(stored!.version).toBe(3);
    const { data } = await listReports(scope, { limit: 10, verificationSession: session.id });
    expect(data.map((r) => r.id)).toEqual([stored!.session.last_verification_report]);
    const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: submissionKey(scope, submission.id) }));
    expect(Item).toBeUndefined();
  });

  it('does nothing when the same record is delivered again', async () => {
    const { session, record } = await submitted();
    await handler({ Records: [record] });
    await eventually(
      () => statusOf(session),
      (status) => expect(status).toBe('verified'),
    );
    const first = await getSession(scope, session.id);
    expect(await handler({ Records: [record, record] })).toEqual({ batchItemFailures: [] });
    // The jobs queued again find the session concluded: the runner, called directly, changes nothing either.
    await runChecksJob({ scope, submission: record.dynamodb!.NewImage!.id!.S! });
    const again = await getSession(scope, session.id);
    expect(again).toEqual(first);
    expect((await listReports(scope, { limit: 10, verificationSession: session.id })).data).toHaveLength(1);
  });

  it('leaves a held submission for the test helpers, and ignores every record that is not a new submission', async () => {
    const held = await submitted({ held: true });
    const other = await submitted();
    const records = [
      held.record,
      { ...other.record, eventName: 'MODIFY' as const },
      { ...other.record, eventName: 'REMOVE' as const },
      streamRecord({ pk: 'x', sk: 'verification_session', id: 'vs_x' }),
    ];
    expect(await handler({ Records: records })).toEqual({ batchItemFailures: [] });
    expect((await getSession(scope, held.session.id))!.session.status).toBe('processing');
    expect((await getSession(scope, other.session.id))!.session.status).toBe('processing');
  });

  it("queues a delayed test check instead of waiting it out, so another account's verdict comes first", { timeout: 45_000 }, async () => {
    const other = { account: `acct_checksother${Date.now()}`, mode: 'test' as const };
    const slow = await submitted({ delay_seconds: 60 });
    const fast = await submitted({}, other);
    // On one shard, in order: the delayed submission's batch, then the other account's. (The
    // timeout is below the 60 s delay: a handler that waited it out would fail here.)
    expect(await handler({ Records: [slow.record] })).toEqual({ batchItemFailures: [] });
    expect(await handler({ Records: [fast.record] })).toEqual({ batchItemFailures: [] });
    await eventually(
      () => statusOf(fast.session, other),
      (status) => expect(status).toBe('verified'),
    );
    // The delayed one is a timer in the queue: it holds no slot, and its session still waits.
    expect(queue.running().get(scope.account)).toBeUndefined();
    expect(await statusOf(slow.session)).toBe('processing');
  });

  it('gives up a submission TTL removed before anything concluded it, and ignores one removed by anyone else', async () => {
    const stuck = await submitted({ held: true });
    const removal = (byTtl: boolean) => {
      const record = streamRecord(submissionItem(scope, stuck.submission, new Date()), 'REMOVE');
      const { NewImage, ...dynamodb } = record.dynamodb!;
      return { ...record, dynamodb: { ...dynamodb, OldImage: NewImage }, ...(byTtl ? { userIdentity: { ...TTL_DELETION_IDENTITY } } : {}) };
    };
    await handler({ Records: [removal(false)] });
    expect((await getSession(scope, stuck.session.id))!.session.status).toBe('processing');
    expect(await handler({ Records: [removal(true)] })).toEqual({ batchItemFailures: [] });
    const given = (await getSession(scope, stuck.session.id))!.session;
    expect(given).toMatchObject({ status: 'requires_input', submission: null, last_error: { code: 'document_unverified_other' } });
    expect(given.last_error!.reason).toMatch(/could not be completed/);
    // Once concluded, the same removal delivered again changes nothing.
    const version = (await getSession(scope, stuck.session.id))!.version;
    await handler({ Records: [removal(true)] });
    expect((await getSession(scope, stuck.session.id))!.version).toBe(version);
  });

  it('reports the records it could not queue, and the runner the jobs it could not conclude, so each is handed over again', async () => {
    const { record, submission } = await submitted();
    useChecksQueue({ send: async () => Promise.reject(new Error('queue unavailable')) });
    try {
      expect(await handler({ Records: [record] })).toEqual({ batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber }] });
    } finally {
      useChecksQueue(queue);
    }
    const table = process.env.VERITY_TABLE_NAME;
    process.env.VERITY_TABLE_NAME = 'no-such-table';
    try {
      const message = { messageId: 'm-1', body: jobBody({ scope, submission: submission.id }) } as SQSRecord;
      expect(await runQueuedChecks({ Records: [message] })).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    } finally {
      process.env.VERITY_TABLE_NAME = table;
    }
  });
});
