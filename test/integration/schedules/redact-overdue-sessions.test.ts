/** The redaction backstop against DynamoDB Local: it finishes the redactions TTL is late with, and only those. */
import { afterEach, describe, expect, it } from 'vitest';
import { createVerificationSession, redactVerificationSession } from '../../../functions/domain/verification-session';
import { changeWithEvents } from '../../../functions/outbox';
import { handler } from '../../../functions/schedules/redact-overdue-sessions';
import { changeSession, getSession, insertSession } from '../../../functions/store/sessions';
import { newObjectId } from '../../../functions/wire/ids';

const scope = { account: `acct_backstop${Date.now()}`, mode: 'test' as const };

async function redactedAt(due: Date) {
  const now = new Date();
  const session = createVerificationSession({ type: 'document', client_reference_id: 'late' }, { id: newObjectId('vs', now.getTime()), scope, now });
  await insertSession(changeWithEvents(null, session, { request: null, now }));
  await changeSession(scope, session.id, (current, at) => changeWithEvents(current, redactVerificationSession(current, due), { request: null, now: at }));
  return session.id;
}

afterEach(() => {
  delete process.env.VERITY_REDACTION_BACKSTOP_AFTER_SECONDS;
});

describe('the redaction backstop', () => {
  it('redacts sessions overdue by more than its grace period, and leaves the others', async () => {
    process.env.VERITY_REDACTION_BACKSTOP_AFTER_SECONDS = '3600';
    const overdue = await redactedAt(new Date(Date.now() - 2 * 3600_000));
    // Not due yet: nothing (no backstop, no TTL stand-in of a parallel test) may touch it.
    const recent = await redactedAt(new Date(Date.now() + 3600_000));
    const result = await handler();
    expect(result.failed).toBe(0);
    expect(result.redacted).toBeGreaterThanOrEqual(1);
    expect((await getSession(scope, overdue))!.session).toMatchObject({ redaction: { status: 'redacted' }, client_reference_id: '[redacted]', redaction_due: null });
    expect((await getSession(scope, recent))!.session.redaction).toEqual({ status: 'processing' });
    // Done sessions leave the backstop's index: a second run has nothing of this account to do.
    await handler();
    expect((await getSession(scope, recent))!.session.redaction).toEqual({ status: 'processing' });
  });
});
