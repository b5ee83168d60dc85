/** Submitting, the test-mode checks, concluding and the report: the pure parts of the verification flow. */
import { describe, expect, it } from 'vitest';
import { samplePerson, testModeOutcome } from '../../../functions/checks/test-mode';
import { checksOf, checksRun, FAILURE_CODES, type Submission } from '../../../functions/domain/verification-checks';
import { buildVerificationReport } from '../../../functions/domain/verification-report';
import { redactedReport } from '../../../functions/domain/redaction';
import {
  concludeVerification,
  createVerificationSession,
  overrideCodes,
  overrideVerification,
  redactVerificationSession,
  submitVerificationSession,
  type CreateVerificationSessionInput,
} from '../../../functions/domain/verification-session';

const NOW = new Date('2026-03-04T05:06:07Z');
const create = (input: CreateVerificationSessionInput = { type: 'document' }) =>
  createVerificationSession(input, { id: 'vs_0000abcdEFGHijklMNOPqrst', scope: { account: 'acct_1', mode: 'test' }, now: NOW });
const submission = (extra: Partial<Submission> = {}): Submission => ({
  id: 'vsub_1',
  session: 'vs_0000abcdEFGHijklMNOPqrst',
  created: 0,
  consent: 'given',
  files: {},
  ...extra,
});

describe('checksOf', () => {
  it('runs the document check, plus selfie and ID number when the options ask, or only the ID number check', () => {
    expect(checksOf(create())).toEqual(['document']);
    expect(
      checksOf(create({ type: 'document', options: { document: { require_matching_selfie: true, require_id_number: true } } })),
    ).toEqual(['document', 'selfie', 'id_number']);
    expect(checksOf(create({ type: 'id_number' }))).toEqual(['id_number']);
  });

  it('adds the failing check when a failure names one the session does not run, and none for a failure of the session itself', () => {
    expect(checksRun(create(), 'selfie_manipulated')).toEqual(['document', 'selfie']);
    expect(checksRun(create(), 'consent_declined')).toEqual([]);
  });
});

describe('submitting and concluding', () => {
  it('moves requires_input → processing, and only from there', () => {
    const processing = submitVerificationSession(create(), 'vsub_1');
    expect(processing).toMatchObject({ status: 'processing', submission: 'vsub_1' });
    expect(() => submitVerificationSession(processing, 'vsub_2')).toThrow(/status of processing/);
    expect(() => submitVerificationSession(redactVerificationSession(create(), new Date(0)), 'vsub_2')).toThrow(/redacted/);
  });

  it('concludes verified with the person as outputs and any earlier error cleared', () => {
    const processing = {
      ...submitVerificationSession(create({ type: 'document', provided_details: { email: 'j@example.com' } }), 'vsub_1'),
      last_error: { code: 'document_expired', reason: 'x' },
    };
    const outcome = testModeOutcome(processing, submission({ test_case: 'verified' }));
    const verified = concludeVerification(processing, { submission: 'vsub_1', report: 'vr_1', outcome });
    expect(verified).toMatchObject({ status: 'verified', last_error: null, submission: null, last_verification_report: 'vr_1' });
    expect(verified.verified_outputs).toMatchObject({ first_name: 'Jenny', last_name: 'Rosen', email: 'j@example.com', id_number: null });
  });

  it.each(FAILURE_CODES)('concludes %s back in requires_input with its code and reason, and no outputs', (code) => {
    const processing = submitVerificationSession(create(), 'vsub_1');
    const failed = concludeVerification(processing, {
      submission: 'vsub_1',
      report: 'vr_1',
      outcome: testModeOutcome(processing, submission({ test_case: code })),
    });
    expect(failed.status).toBe('requires_input');
    expect(failed.last_error?.code).toBe(code);
    expect(failed.last_error?.reason).toEqual(expect.any(String));
    expect(failed.verified_outputs).toBeNull();
  });

  it('refuses to conclude a submission that is no longer the one being processed, or a session not processing', () => {
    const processing = submitVerificationSession(create(), 'vsub_1');
    const outcome = testModeOutcome(processing, submission());
    expect(() => concludeVerification(processing, { submission: 'vsub_other', report: 'vr_1', outcome })).toThrow(/no longer the one/);
    expect(() => concludeVerification(create(), { submission: 'vsub_1', report: 'vr_1', outcome })).toThrow(/status of requires_input/);
  });

  it('liveness_expired carries the liveness_unavailable signal, as a live expired liveness session does; other cases measure none', () => {
    const selfie = create({ type: 'document', options: { document: { require_matching_selfie: true } } });
    const processing = submitVerificationSession(selfie, 'vsub_1');
    expect(testModeOutcome(processing, submission({ test_case: 'liveness_expired' })).signals).toEqual({ liveness_unavailable: true });
    for (const test_case of ['verified', 'selfie_manipulated', 'selfie_face_mismatch'] as const) {
      expect(testModeOutcome(processing, submission({ test_case })).signals).toBeUndefined();
    }
  });

  it('turns a declined consent into consent_declined whatever test case was picked', () => {
    expect(testModeOutcome(create(), submission({ consent: 'declined', test_case: 'verified' })).failure?.code).toBe('consent_declined');
  });
});

describe('buildVerificationReport', () => {
  const session = submitVerificationSession(
    create({
      type: 'document',
      client_reference_id: 'ref_1',
      options: { document: { require_matching_selfie: true, require_id_number: true } },
    }),
    'vsub_1',
  );
  const files = { document_front: 'file_front', document_back: 'file_back', selfie: 'file_selfie' };
  const report = (test_case: Submission['test_case']) =>
    buildVerificationReport({
      id: 'vr_1',
      now: NOW,
      session,
      submission: { files },
      outcome: testModeOutcome(session, submission({ test_case, id_number: '123456789' })),
    });

  it('has one verified section per check that ran, with what the document showed', () => {
    const r = report('verified');
    expect(r).toMatchObject({
      id: 'vr_1',
      verification_session: session.id,
      client_reference_id: 'ref_1',
      type: 'document',
      created: Math.floor(NOW.getTime() / 1000),
    });
    expect(r.document).toMatchObject({
      status: 'verified',
      error: null,
      first_name: 'Jenny',
      files: ['file_front', 'file_back'],
      number: 'D1234567',
    });
    expect(r.selfie).toEqual({ status: 'verified', error: null, document: 'file_front', selfie: 'file_selfie' });
    expect(r.id_number).toMatchObject({ status: 'verified', id_number: '6789', id_number_type: 'us_ssn' });
    expect(r.email).toBeUndefined();
  });

  it('marks only the failing check unverified, and it reports nothing it could not verify', () => {
    const r = report('id_number_mismatch');
    expect(r.document?.status).toBe('verified');
    expect(r.selfie?.status).toBe('verified');
    expect(r.id_number).toMatchObject({
      status: 'unverified',
      error: { code: 'id_number_mismatch' },
      id_number: null,
      first_name: null,
      dob: null,
    });
    const d = report('document_expired');
    expect(d.document).toMatchObject({
      status: 'unverified',
      error: { code: 'document_expired' },
      first_name: null,
      address: null,
      files: ['file_front', 'file_back'],
    });
  });

  it('holds no check sections when the session itself failed', () => {
    const r = report('under_supported_age');
    expect(r.document ?? r.selfie ?? r.id_number).toBeUndefined();
  });

  it('keeps only the last four digits of a US SSN', () => {
    expect(samplePerson(session, { id_number: '123-45-6789' }).id_number?.value).toBe('123-45-6789');
    expect(report('verified').id_number?.id_number).toBe('6789');
  });
});

describe('a person’s override of the verdict', () => {
  const concluded = (
    test_case: Submission['test_case'],
    input: CreateVerificationSessionInput = { type: 'document', options: { document: { require_id_number: true } } },
  ) => {
    const processing = submitVerificationSession(create(input), 'vsub_1');
    const outcome = testModeOutcome(processing, submission({ test_case, id_number: '123456789' }));
    const report = buildVerificationReport({ id: 'vr_1', now: NOW, session: processing, submission: submission(), outcome });
    return { session: concludeVerification(processing, { submission: 'vsub_1', report: 'vr_1', outcome }), report };
  };
  const by = { reason: 'Checked by hand.', operator: 'reviewer@example.com' };

  it('verifies after a failed check with what the report read, as a verdict would, and marks the report decided', () => {
    const { session, report } = concluded('id_number_mismatch');
    const decided = overrideVerification(session, report, { status: 'verified', ...by }, NOW);
    const verdict = concluded('verified');
    expect(decided.session).toMatchObject({ status: 'verified', last_error: null });
    // The ID number check read nothing it could not verify: its last four are not in the outputs.
    expect(decided.session.verified_outputs).toEqual({ ...verdict.session.verified_outputs, id_number: null, id_number_type: null });
    expect(decided.report.id_number).toMatchObject({ status: 'verified', error: null });
    expect(decided.report.decision).toEqual({ status: 'verified', code: null, ...by, decided: Math.floor(NOW.getTime() / 1000) });
    expect(
      overrideVerification(verdict.session, verdict.report, { status: 'requires_input', code: 'id_number_mismatch', ...by }, NOW).session
        .verified_outputs,
    ).toBeNull();
  });

  it('sends a verified session back with a code of a check it ran and Stripe’s reason for it', () => {
    const { session, report } = concluded('verified');
    const decided = overrideVerification(session, report, { status: 'requires_input', code: 'document_expired', ...by }, NOW);
    expect(decided.session).toMatchObject({
      status: 'requires_input',
      verified_outputs: null,
      last_error: { code: 'document_expired', reason: 'The document is expired.' },
    });
    expect(decided.report.document).toMatchObject({ status: 'unverified', error: { code: 'document_expired' }, first_name: 'Jenny' });
    expect(decided.report.id_number).toMatchObject({ status: 'verified', error: null });
    expect(overrideCodes(report)).not.toContain('selfie_manipulated');
    expect(() => overrideVerification(session, report, { status: 'requires_input', code: 'selfie_manipulated', ...by }, NOW)).toThrow(
      /must be one of/,
    );
    expect(() => overrideVerification(session, report, { status: 'requires_input', ...by }, NOW)).toThrow(/code/);
    expect(() =>
      overrideVerification(session, report, { status: 'requires_input', code: 'document_expired', reason: ' ', operator: 'x' }, NOW),
    ).toThrow(/reason/);
    expect(() => overrideVerification(session, report, { status: 'verified', ...by }, NOW)).toThrow(/already has a status of verified/);
  });

  it('refuses a session with no check to overrule, and one redacted; the redacted report loses the written reason', () => {
    const declined = concluded('consent_declined');
    expect(() => overrideVerification(declined.session, declined.report, { status: 'verified', ...by }, NOW)).toThrow(
      /did not fail a check/,
    );
    expect(() => overrideVerification(create(), undefined, { status: 'verified', ...by }, NOW)).toThrow(/no verification report/);
    const { session, report } = concluded('document_expired');
    expect(() => overrideVerification(redactVerificationSession(session, NOW), report, { status: 'verified', ...by }, NOW)).toThrow(
      /redacted/,
    );
    const decided = overrideVerification(session, report, { status: 'verified', ...by }, NOW).report;
    expect(redactedReport(decided).decision).toMatchObject({ status: 'verified', reason: '[redacted]' });
  });
});
