/**
 * The checks worker, driven with Lambda-shaped stream records (as AWS delivers them) against
 * DynamoDB Local: it concludes each new submission once, whatever is redelivered.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Submission } from '../../../functions/domain/verification-checks';
import { createVerificationSession } from '../../../functions/domain/verification-session';
import { changeWithEvents } from '../../../functions/outbox';
import { dynamo } from '../../../functions/store/client';
import { tableName } from '../../../functions/store/schema';
import { changeSession, getSession, insertSession } from '../../../functions/store/sessions';
import { submissionItem, submissionKey } from '../../../functions/store/submissions';
import { listReports } from '../../../functions/store/verification-reports';
import { handler } from '../../../functions/streams/run-verification-checks';
import { TTL_DELETION_IDENTITY } from '../../../functions/streams/ttl-deletion';
import { submitChange } from '../../../functions/verification-flow';
import { newObjectId } from '../../../functions/wire/ids';
import { streamRecord } from '../../support/events';
import { eventually } from '../../support/verification';

const scope = { account: `acct_checks${Date.now()}`, mode: 'test' as const };

/** A session submitted as the page submits it; returns the stream record of its new submission item. */
async function submitted(extra: Partial<Submission> = {}) {
  const now = new Date();
  const session = createVerificationSession({ type: 'document' }, { id: newObjectId('vs', now.getTime()), scope, now });
  await insertSession(changeWithEvents(null, session, { request: null, now }));
  const submission: Submission = { id: newObjectId('vsub', now.getTime()), session: session.id, created: 0, consent: 'given', files: {}, ...extra };
  await changeSession(scope, session.id, (current) => submitChange(current, submission, [], { request: null, now }));
  return { session, submission, record: streamRecord(submissionItem(scope, submission, now)) };
}

describe('the checks worker', () => {
  it('concludes a new submission with a report, and removes the submission', async () => {
    const { session, submission, record } = await submitted({ test_case: 'selfie_manipulated' });
    expect(await handler({ Records: [record] })).toEqual({ batchItemFailures: [] });
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
    const first = await getSession(scope, session.id);
    expect(await handler({ Records: [record, record] })).toEqual({ batchItemFailures: [] });
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

  it('concludes the sessions of one batch side by side, so one delay does not hold up the others', async () => {
    const slow = await submitted({ delay_seconds: 3 });
    const fast = await Promise.all([submitted(), submitted()]);
    const running = handler({ Records: [slow.record, ...fast.map((f) => f.record)] });
    await eventually(
      () => Promise.all(fast.map(({ session }) => getSession(scope, session.id))),
      (stored) => expect(stored.map((s) => s!.session.status)).toEqual(['verified', 'verified']),
    );
    // The slow one is still waiting out its delay while the others are done.
    expect((await getSession(scope, slow.session.id))!.session.status).toBe('processing');
    await running;
    expect((await getSession(scope, slow.session.id))!.session.status).toBe('verified');
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

  it('reports the records it could not conclude, so the stream hands them over again', async () => {
    const { record } = await submitted();
    const table = process.env.VERITY_TABLE_NAME;
    process.env.VERITY_TABLE_NAME = 'no-such-table';
    try {
      expect(await handler({ Records: [record] })).toEqual({ batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber }] });
    } finally {
      process.env.VERITY_TABLE_NAME = table;
    }
  });
});
