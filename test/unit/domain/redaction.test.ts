import { describe, expect, it } from 'vitest';
import { isRetained, REDACTED, redactedEventCopy, redactedReport, redactedSession } from '../../../functions/domain/redaction';
import { buildVerificationReport } from '../../../functions/domain/verification-report';
import {
  cancelVerificationSession,
  concludeVerification,
  createVerificationSession,
  submitVerificationSession,
} from '../../../functions/domain/verification-session';
import { testModeOutcome } from '../../../functions/checks/test-mode';

const NOW = new Date('2026-03-04T05:06:07Z');
const created = createVerificationSession(
  {
    type: 'document',
    client_reference_id: 'ref-1',
    metadata: { a: 'b' },
    provided_details: { email: 'jane@example.com' },
    related_person: { account: 'acct_p', person: 'person_p' },
    related_customer: 'cus_1',
    options: { document: { require_id_number: true } },
  },
  { id: 'vs_0000abcdEFGHijklMNOPqrst', scope: { account: 'acct_1', mode: 'test' }, now: NOW },
);
const submission = {
  id: 'vsub_1',
  session: created.id,
  created: 0,
  consent: 'given' as const,
  files: { document_front: 'file_1' },
  id_number: '123456789',
};
const processing = submitVerificationSession(created, 'vsub_1');
const outcome = testModeOutcome(processing, submission);
const verified = concludeVerification(processing, { submission: 'vsub_1', report: 'vr_1', outcome });
const report = buildVerificationReport({ id: 'vr_1', now: NOW, session: processing, submission, outcome });

describe('redaction', () => {
  it('replaces every personal field of a session and keeps what only says what happened', () => {
    const redacted = redactedSession({ ...verified, redaction: { status: 'processing' }, redaction_due: 1 });
    expect(redacted).toMatchObject({
      status: 'verified',
      client_reference_id: REDACTED,
      metadata: {},
      provided_details: { email: REDACTED, phone: null },
      related_person: { account: REDACTED, person: REDACTED },
      related_customer: 'cus_1',
      redaction: { status: 'redacted' },
      redaction_due: null,
      last_verification_report: 'vr_1',
    });
    expect(redacted.verified_outputs).toMatchObject({
      first_name: REDACTED,
      id_number: REDACTED,
      id_number_type: null,
      dob: { day: 1, month: 1, year: 1 },
    });
    expect((redacted.verified_outputs!.address as Record<string, unknown>).country).toBe('US');
    expect(JSON.stringify(redacted)).not.toMatch(/Jenny|Rosen|6789|jane@|ref-1|acct_p/);
  });

  it('leaves a null personal field null', () => {
    const bare = createVerificationSession({ type: 'id_number' }, { id: created.id, scope: { account: 'acct_1', mode: 'test' }, now: NOW });
    expect(redactedSession(bare)).toMatchObject({
      client_reference_id: null,
      provided_details: null,
      related_person: null,
      verified_outputs: null,
    });
  });

  it('redacts a report’s data but keeps its checks’ statuses and its file ids', () => {
    const redacted = redactedReport(report);
    expect(redacted).toMatchObject({
      redacted: true,
      client_reference_id: REDACTED,
      document: { status: 'verified', files: ['file_1'], number: REDACTED, issuing_country: 'US' },
    });
    expect(redacted.id_number).toMatchObject({ status: 'verified', id_number: REDACTED, id_number_type: null });
    expect(JSON.stringify(redacted)).not.toMatch(/Jenny|Rosen|6789|D1234567|ref-1/);
  });

  it('redacts the snapshot and the idempotency key of a stored event', () => {
    const event = {
      id: 'evt_1',
      data: {
        object: {
          id: created.id,
          status: 'requires_input',
          client_reference_id: 'ref-1',
          metadata: { a: 'b' },
          related_person: { account: 'acct_p', person: 'p' },
        },
      },
      request: { id: 'req_1', idempotency_key: 'user-42-verification' },
    };
    expect(redactedEventCopy(event)).toEqual({
      id: 'evt_1',
      data: {
        object: {
          id: created.id,
          status: 'requires_input',
          client_reference_id: REDACTED,
          metadata: {},
          related_person: { account: REDACTED, person: REDACTED },
        },
      },
      request: { id: 'req_1', idempotency_key: REDACTED },
    });
  });

  it('plans retention when a session reaches verified or canceled, once', () => {
    expect(isRetained(processing, verified)).toBe(true);
    expect(isRetained(created, cancelVerificationSession(created))).toBe(true);
    expect(isRetained(created, processing)).toBe(false);
    expect(isRetained(verified, verified)).toBe(false);
    expect(isRetained(processing, { ...verified, redaction_due: 5 })).toBe(false);
  });
});
