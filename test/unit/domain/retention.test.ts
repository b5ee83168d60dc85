/** The retention policy's plan (domain/redaction.ts `retentionDue`): ended sessions, and abandoned ones. */
import { describe, expect, it } from 'vitest';
import { retentionDue } from '../../../functions/domain/redaction';
import { createVerificationSession, type VerificationSession } from '../../../functions/domain/verification-session';

const now = new Date(Date.UTC(2026, 10, 30, 12));
const at = (date: Date) => Math.floor(date.getTime() / 1000);
const DAY = 86_400;
const fresh = createVerificationSession(
  { type: 'document', client_reference_id: 'user_1' },
  { id: 'vs_retention', scope: { account: 'acct_r', mode: 'test' }, now },
);

describe('the retention policy', () => {
  it('plans a session waiting for the person from its creation, and anew at each change of it', () => {
    expect(retentionDue(null, fresh, now, 30)).toBe(at(now) + 30 * DAY);
    const planned: VerificationSession = { ...fresh, redaction_due: at(now) + 30 * DAY };
    const later = new Date(now.getTime() + 5 * DAY * 1000);
    const updated = { ...planned, metadata: { order: '2' } };
    expect(retentionDue(planned, updated, later, 30)).toBe(at(later) + 30 * DAY);
  });

  it('does not count a retrieve that only hands out new credentials as activity', () => {
    const planned: VerificationSession = { ...fresh, redaction_due: at(now) + 30 * DAY };
    const renewed = {
      ...planned,
      credentials: {
        ...planned.credentials,
        client_secret: { ...planned.credentials.client_secret, generation: planned.credentials.client_secret.generation + 1 },
      },
    };
    expect(retentionDue(planned, renewed, new Date(now.getTime() + DAY * 1000), 30)).toBe(planned.redaction_due);
  });

  it('drops the plan while a submission is processed, and plans again from its conclusion', () => {
    const planned: VerificationSession = { ...fresh, redaction_due: at(now) + 30 * DAY };
    const processing: VerificationSession = { ...planned, status: 'processing', submission: 'vsub_1' };
    expect(retentionDue(planned, processing, now, 30)).toBeNull();
    const back: VerificationSession = {
      ...processing,
      redaction_due: null,
      status: 'requires_input',
      submission: null,
      last_error: { code: 'document_expired', reason: 'x' },
    };
    const concluded = new Date(now.getTime() + 60_000);
    expect(retentionDue({ ...processing, redaction_due: null }, back, concluded, 30)).toBe(at(concluded) + 30 * DAY);
    const verified: VerificationSession = { ...back, status: 'verified', last_error: null };
    expect(retentionDue({ ...processing, redaction_due: null }, verified, concluded, 7)).toBe(at(concluded) + 7 * DAY);
  });

  it('leaves a redaction already asked for as it is', () => {
    const redacting: VerificationSession = { ...fresh, status: 'canceled', redaction: { status: 'processing' }, redaction_due: 42 };
    expect(retentionDue(fresh, redacting, now, 30)).toBe(42);
  });
});
