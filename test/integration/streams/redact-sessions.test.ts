/**
 * The redaction worker, driven with AWS-shaped stream records against DynamoDB Local: a TTL
 * deletion of a job item redacts its session and every copy of its data; a user's deletion does
 * nothing; a redelivery changes nothing more.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { testModeOutcome } from '../../../functions/checks/test-mode';
import { REDACTED } from '../../../functions/domain/redaction';
import { createVerificationSession, redactVerificationSession } from '../../../functions/domain/verification-session';
import { changeWithEvents } from '../../../functions/outbox';
import { listEvents } from '../../../functions/store/events';
import { redactionJobKey } from '../../../functions/store/redaction-jobs';
import { changeSession, getSession, insertSession } from '../../../functions/store/sessions';
import { listReports } from '../../../functions/store/verification-reports';
import { handler } from '../../../functions/streams/redact-sessions';
import { TTL_DELETION_IDENTITY } from '../../../functions/streams/ttl-deletion';
import { submitAndConcludeChange } from '../../../functions/verification-flow';
import { newObjectId } from '../../../functions/wire/ids';

const scope = { account: `acct_redact${Date.now()}`, mode: 'test' as const };
let sequence = 5000;

/** A stream record of the job item's removal, as AWS delivers it: by TTL, or by someone else. */
function removal(sessionId: string, byTtl: boolean): DynamoDBRecord {
  const image = marshall({ ...redactionJobKey(scope, sessionId), scope, session: sessionId, expires_at: 1 }) as NonNullable<DynamoDBRecord['dynamodb']>['OldImage'];
  return {
    eventID: `${sequence}`,
    eventName: 'REMOVE',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    ...(byTtl ? { userIdentity: { ...TTL_DELETION_IDENTITY } } : {}),
    dynamodb: { Keys: { pk: image!.pk!, sk: image!.sk! }, OldImage: image, SequenceNumber: `${sequence++}`, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
}

/** A verified session with known personal data, then redacted by its business. */
async function verifiedThenRedacted() {
  const now = new Date();
  const session = createVerificationSession(
    { type: 'document', client_reference_id: 'ref-jane-doe', metadata: { email: 'jane@example.com' }, provided_details: { email: 'jane@example.com', phone: '+1 555 0100' } },
    { id: newObjectId('vs', now.getTime()), scope, now },
  );
  await insertSession(changeWithEvents(null, session, { request: null, now }));
  const submission = { id: newObjectId('vsub', now.getTime()), session: session.id, created: 0, consent: 'given' as const, files: {} };
  await changeSession(scope, session.id, (current, at) =>
    submitAndConcludeChange(current, submission, (p) => testModeOutcome(p, submission), { request: null, now: at }),
  );
  await changeSession(scope, session.id, (current, at) => changeWithEvents(current, redactVerificationSession(current, at), { request: null, now: at }));
  return session;
}

const personal = ['ref-jane-doe', 'jane@example.com', '+1 555 0100', 'Jenny', 'Rosen', '1234 Main St.', 'D1234567'];

describe('the redaction worker', () => {
  it('redacts the session, its reports and its events when TTL removes the job', async () => {
    const session = await verifiedThenRedacted();
    expect(await handler({ Records: [removal(session.id, true)] })).toEqual({ batchItemFailures: [] });

    const stored = (await getSession(scope, session.id))!.session;
    expect(stored).toMatchObject({ status: 'verified', redaction: { status: 'redacted' }, client_reference_id: REDACTED, metadata: {} });
    expect(stored.verified_outputs).toMatchObject({ first_name: REDACTED, dob: { day: 1, month: 1, year: 1 }, address: { line1: REDACTED, country: 'US' } });
    const reports = await listReports(scope, { limit: 10, verificationSession: session.id });
    const events = await listEvents(scope, undefined, { limit: 100 });
    const ofSession = events.data.filter((event) => event.data.object.id === session.id);
    expect(ofSession.map((event) => event.type)).toContain('identity.verification_session.redacted');
    const everything = JSON.stringify([stored, reports.data, ofSession]);
    for (const value of personal) expect(everything, value).not.toContain(value);
  });

  it('changes nothing more when the same removal is delivered again', async () => {
    const session = await verifiedThenRedacted();
    await handler({ Records: [removal(session.id, true)] });
    const first = await getSession(scope, session.id);
    await handler({ Records: [removal(session.id, true), removal(session.id, true)] });
    expect(await getSession(scope, session.id)).toEqual(first);
    const redactedEvents = (await listEvents(scope, ['identity.verification_session.redacted'], { limit: 100 })).data.filter((e) => e.data.object.id === session.id);
    expect(redactedEvents).toHaveLength(1);
  });

  it('ignores a removal that TTL did not make', async () => {
    const session = await verifiedThenRedacted();
    expect(await handler({ Records: [removal(session.id, false)] })).toEqual({ batchItemFailures: [] });
    expect((await getSession(scope, session.id))!.session.redaction).toEqual({ status: 'processing' });
  });

  it('reports a removal it could not act on, so the stream hands it over again', async () => {
    const session = await verifiedThenRedacted();
    const table = process.env.VERITY_TABLE_NAME;
    process.env.VERITY_TABLE_NAME = 'no-such-table';
    try {
      const record = removal(session.id, true);
      expect(await handler({ Records: [record] })).toEqual({ batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber }] });
    } finally {
      process.env.VERITY_TABLE_NAME = table;
    }
  });
});
