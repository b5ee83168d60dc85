import { describe, expect, it } from 'vitest';
import {
  cancelVerificationSession,
  createVerificationSession,
  redactVerificationSession,
  SESSION_STATUSES,
  UNEXPECTED_STATE_CODE,
  updateVerificationSession,
  type CreateVerificationSessionInput,
  type SessionStatus,
  type VerificationSession,
} from '../../../functions/domain/verification-session';
import { thrown } from '../../support/thrown';

const NOW = new Date('2025-03-04T05:06:07.890Z');
const CONTEXT = { id: 'vs_0000abcdEFGHijklMNOPqrst', scope: { account: 'acct_1', mode: 'test' as const }, now: NOW };

const create = (input: CreateVerificationSessionInput = { type: 'document' }) => createVerificationSession(input, CONTEXT);
const withStatus = (status: SessionStatus, overrides: Partial<VerificationSession> = {}): VerificationSession => ({
  ...create({ type: 'document', metadata: { a: '1' } }),
  status,
  ...overrides,
});

describe('createVerificationSession', () => {
  it('creates a session waiting for input with every field in its initial state', () => {
    expect(create({ type: 'document' })).toEqual({
      id: 'vs_0000abcdEFGHijklMNOPqrst',
      account: 'acct_1',
      mode: 'test',
      created: Math.floor(NOW.getTime() / 1000),
      status: 'requires_input',
      type: 'document',
      client_reference_id: null,
      metadata: {},
      options: {},
      provided_details: null,
      related_customer: null,
      related_customer_account: null,
      related_person: null,
      return_url: null,
      last_error: null,
      last_verification_report: null,
      verified_outputs: null,
      redaction: null,
      credentials: {
        client_secret: { generation: 1, issued_at: Math.floor(NOW.getTime() / 1000), used: false },
        url: { generation: 1, issued_at: Math.floor(NOW.getTime() / 1000), used: false },
      },
      submission: null,
      redaction_due: null,
    });
  });

  it('records the creation time in whole seconds, rounded down', () => {
    expect(create().created).toBe(1741064767);
  });

  it('takes the account and mode from the scope', () => {
    const session = createVerificationSession({ type: 'id_number' }, { ...CONTEXT, scope: { account: 'acct_live', mode: 'live' } });
    expect(session).toMatchObject({ account: 'acct_live', mode: 'live', type: 'id_number' });
  });

  it('keeps every parameter given', () => {
    const session = create({
      type: 'document',
      client_reference_id: 'user_42',
      metadata: { user_id: 'u 1', remove_me: '' },
      options: { document: { allowed_types: ['passport', 'id_card'], require_matching_selfie: true } },
      provided_details: { email: 'a+b@example.com' },
      related_customer: 'cus_1',
      related_customer_account: 'acct_cust',
      related_person: { account: 'acct_p', person: 'person_1' },
      return_url: 'https://example.com/done',
    });
    expect(session).toMatchObject({
      client_reference_id: 'user_42',
      metadata: { user_id: 'u 1' },
      options: { document: { allowed_types: ['passport', 'id_card'], require_matching_selfie: true } },
      provided_details: { email: 'a+b@example.com', phone: null },
      related_customer: 'cus_1',
      related_customer_account: 'acct_cust',
      related_person: { account: 'acct_p', person: 'person_1' },
      return_url: 'https://example.com/done',
    });
    expect(session.metadata).not.toHaveProperty('remove_me');
  });

  it('stores empty strings as null', () => {
    expect(
      create({ type: 'document', client_reference_id: '', related_customer: '', related_customer_account: '', return_url: '' }),
    ).toMatchObject({
      client_reference_id: null,
      related_customer: null,
      related_customer_account: null,
      return_url: null,
    });
  });

  it('requires type, with parameter_missing', () => {
    const error = thrown(() => create({ metadata: { a: '1' } }));
    expect(error.kind).toBe('invalid_parameter');
    expect(error.code).toBe('parameter_missing');
    expect(error.param).toBe('type');
  });

  it('rejects verification_flow, with or without type', () => {
    for (const input of [{ verification_flow: 'vf_123' }, { type: 'document' as const, verification_flow: 'vf_123' }]) {
      const error = thrown(() => create(input));
      expect(error.kind).toBe('invalid_parameter');
      expect(error.param).toBe('verification_flow');
    }
  });

  describe('related_person', () => {
    it('needs person when account is given', () => {
      const error = thrown(() => create({ type: 'document', related_person: { account: 'acct_p' } }));
      expect(error.code).toBe('parameter_missing');
      expect(error.param).toBe('related_person[person]');
    });

    it('needs account when person is given', () => {
      const error = thrown(() => create({ type: 'document', related_person: { person: 'person_1' } }));
      expect(error.code).toBe('parameter_missing');
      expect(error.param).toBe('related_person[account]');
    });

    it('treats empty values as missing', () => {
      expect(thrown(() => create({ type: 'document', related_person: { account: '', person: 'person_1' } })).param).toBe(
        'related_person[account]',
      );
      expect(thrown(() => create({ type: 'document', related_person: { account: 'acct_p', person: '' } })).param).toBe(
        'related_person[person]',
      );
      expect(thrown(() => create({ type: 'document', related_person: {} })).code).toBe('parameter_missing');
    });
  });

  describe('options', () => {
    it("stores no document options for '' or options[document]=''", () => {
      expect(create({ type: 'document', options: '' }).options).toEqual({});
      expect(create({ type: 'document', options: { document: '' } }).options).toEqual({});
      expect(create({ type: 'document', options: {} }).options).toEqual({});
    });

    it('keeps an empty document object', () => {
      expect(create({ type: 'document', options: { document: {} } }).options).toEqual({ document: {} });
    });

    it('drops document options given as undefined instead of storing them', () => {
      const options = create({
        type: 'document',
        options: { document: { require_id_number: undefined, require_live_capture: false } },
      }).options;
      expect(options).toEqual({ document: { require_live_capture: false } });
      expect(Object.keys(options.document!)).toEqual(['require_live_capture']);
    });
  });

  it('metadata limits apply on create', () => {
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect(thrown(() => create({ type: 'document', metadata: tooMany })).param).toBe('metadata');
  });
});

describe('updateVerificationSession', () => {
  it('changes type, metadata, options and provided details of a session waiting for input', () => {
    const session = withStatus('requires_input', {
      metadata: { keep: '1', drop: '2' },
      options: { document: { allowed_types: ['passport'], require_id_number: true } },
      provided_details: { email: 'old@example.com', phone: '+1 555 555 1212' },
    });
    const updated = updateVerificationSession(session, {
      type: 'id_number',
      metadata: { drop: '', add: '3' },
      options: { document: { require_matching_selfie: true } },
      provided_details: { email: 'new@example.com' },
    });
    expect(updated).toEqual({
      ...session,
      type: 'id_number',
      metadata: { keep: '1', add: '3' },
      options: { document: { require_matching_selfie: true } },
      provided_details: { email: 'new@example.com', phone: '+1 555 555 1212' },
    });
  });

  it('changes nothing when nothing is given', () => {
    const session = withStatus('requires_input', { options: { document: { require_id_number: true } } });
    expect(updateVerificationSession(session, {})).toEqual(session);
  });

  it('does not modify the session it is given', () => {
    const session = withStatus('requires_input');
    const copy = structuredClone(session);
    updateVerificationSession(session, { type: 'id_number', metadata: '', options: '', provided_details: { email: 'a@b.co' } });
    expect(session).toEqual(copy);
  });

  it('keeps identity, status and creation time', () => {
    const session = withStatus('requires_input');
    const updated = updateVerificationSession(session, { type: 'id_number' });
    expect(updated).toMatchObject({
      id: session.id,
      account: session.account,
      mode: session.mode,
      created: session.created,
      status: 'requires_input',
    });
  });

  describe('options[document]', () => {
    const current = () => withStatus('requires_input', { options: { document: { allowed_types: ['passport'], require_id_number: true } } });

    it('replaces the whole document options object', () => {
      const updated = updateVerificationSession(current(), { options: { document: { require_live_capture: true } } });
      expect(updated.options).toEqual({ document: { require_live_capture: true } });
    });

    it("is cleared by options[document]=''", () => {
      expect(updateVerificationSession(current(), { options: { document: '' } }).options).toEqual({});
    });

    it("is cleared by options=''", () => {
      expect(updateVerificationSession(current(), { options: '' }).options).toEqual({});
    });

    it('is kept when options carries no document', () => {
      expect(updateVerificationSession(current(), { options: {} }).options).toEqual(current().options);
    });
  });

  describe('provided_details', () => {
    it('sets details on a session that had none', () => {
      const updated = updateVerificationSession(withStatus('requires_input'), { provided_details: { phone: '5555551212' } });
      expect(updated.provided_details).toEqual({ email: null, phone: '5555551212' });
    });

    it('merges: each detail given replaces that detail only', () => {
      const session = withStatus('requires_input', { provided_details: { email: 'a@example.com', phone: null } });
      expect(updateVerificationSession(session, { provided_details: { phone: '+44 20 7946 0000' } }).provided_details).toEqual({
        email: 'a@example.com',
        phone: '+44 20 7946 0000',
      });
    });

    it('clears a detail given an empty value', () => {
      const session = withStatus('requires_input', { provided_details: { email: 'a@example.com', phone: '5555551212' } });
      expect(updateVerificationSession(session, { provided_details: { email: '' } }).provided_details).toEqual({
        email: null,
        phone: '5555551212',
      });
    });

    it('becomes null when every detail is cleared', () => {
      const session = withStatus('requires_input', { provided_details: { email: 'a@example.com', phone: '5555551212' } });
      expect(updateVerificationSession(session, { provided_details: { email: '', phone: '' } }).provided_details).toBeNull();
      const onlyEmail = withStatus('requires_input', { provided_details: { email: 'a@example.com', phone: null } });
      expect(updateVerificationSession(onlyEmail, { provided_details: { email: '' } }).provided_details).toBeNull();
    });

    it('stays as it was when an empty object is given', () => {
      const session = withStatus('requires_input', { provided_details: { email: 'a@example.com', phone: null } });
      expect(updateVerificationSession(session, { provided_details: {} }).provided_details).toEqual({
        email: 'a@example.com',
        phone: null,
      });
    });
  });

  it('applies the metadata rules against the merged metadata', () => {
    const full = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    const session = withStatus('requires_input', { metadata: full });
    expect(thrown(() => updateVerificationSession(session, { metadata: { extra: 'x' } })).param).toBe('metadata');
    expect(Object.keys(updateVerificationSession(session, { metadata: { k0: '', extra: 'x' } }).metadata)).toHaveLength(50);
    expect(updateVerificationSession(session, { metadata: '' }).metadata).toEqual({});
  });
});

/** Checks the refusal of `action` on a session in `status`. */
function expectRefused(fn: () => unknown, action: string, status: string) {
  const error = thrown(fn);
  expect(error.kind).toBe('unexpected_state');
  expect(error.code).toBe(UNEXPECTED_STATE_CODE);
  expect(error.code).toBe('verification_session_unexpected_state');
  expect(error.message).toContain(`You cannot ${action} this VerificationSession`);
  expect(error.message).toContain(`status of ${status}`);
  return error;
}

function expectRefusedAsRedacted(fn: () => unknown, action: string) {
  const error = thrown(fn);
  expect(error.kind).toBe('unexpected_state');
  expect(error.code).toBe('verification_session_unexpected_state');
  expect(error.message).toContain(`You cannot ${action} this VerificationSession`);
  expect(error.message).toContain('redacted');
  return error;
}

describe('state machine', () => {
  describe('update', () => {
    it.each(['processing', 'verified', 'canceled'] as SessionStatus[])('is refused when the status is %s', (status) => {
      const error = expectRefused(() => updateVerificationSession(withStatus(status), { metadata: { a: '2' } }), 'update', status);
      expect(error.message).toContain('requires_input');
    });

    it.each(SESSION_STATUSES)('is refused on a redacted session (status %s)', (status) => {
      for (const redaction of [{ status: 'processing' as const }, { status: 'redacted' as const }]) {
        expectRefusedAsRedacted(() => updateVerificationSession(withStatus(status, { redaction }), {}), 'update');
      }
    });
  });

  describe('cancel', () => {
    it('cancels a session waiting for input, changing nothing else', () => {
      const session = withStatus('requires_input');
      const canceled = cancelVerificationSession(session);
      expect(canceled).toEqual({ ...session, status: 'canceled' });
      expect(session.status).toBe('requires_input');
    });

    it.each(['processing', 'verified', 'canceled'] as SessionStatus[])('is refused when the status is %s', (status) => {
      const error = expectRefused(() => cancelVerificationSession(withStatus(status)), 'cancel', status);
      expect(error.message).toContain('can be canceled');
    });

    it.each(SESSION_STATUSES)('is refused on a redacted session (status %s)', (status) => {
      expectRefusedAsRedacted(() => cancelVerificationSession(withStatus(status, { redaction: { status: 'redacted' } })), 'cancel');
    });
  });

  describe('redact', () => {
    it('cancels a session waiting for input, erases its metadata and marks it for redaction when due', () => {
      const session = { ...withStatus('requires_input'), metadata: { order: '42' } };
      const redacted = redactVerificationSession(session, new Date(90_000));
      expect(redacted).toEqual({ ...session, status: 'canceled', metadata: {}, redaction: { status: 'processing' }, redaction_due: 90 });
      expect(session.redaction).toBeNull();
    });

    it('keeps the status of a verified session', () => {
      const redacted = redactVerificationSession(withStatus('verified'), new Date(0));
      expect(redacted.status).toBe('verified');
      expect(redacted.redaction).toEqual({ status: 'processing' });
    });

    it('keeps the status of a canceled session', () => {
      const redacted = redactVerificationSession(withStatus('canceled'), new Date(0));
      expect(redacted.status).toBe('canceled');
      expect(redacted.redaction).toEqual({ status: 'processing' });
    });

    it('is refused while processing', () => {
      const error = expectRefused(() => redactVerificationSession(withStatus('processing'), new Date(0)), 'redact', 'processing');
      expect(error.message).toContain('requires_input, verified, canceled');
    });

    it.each(SESSION_STATUSES)('is refused a second time (status %s)', (status) => {
      for (const redaction of [{ status: 'processing' as const }, { status: 'redacted' as const }]) {
        expectRefusedAsRedacted(() => redactVerificationSession(withStatus(status, { redaction }), new Date(0)), 'redact');
      }
    });

    it('cannot be followed by update or cancel', () => {
      const redacted = redactVerificationSession(withStatus('requires_input'), new Date(0));
      expectRefusedAsRedacted(() => updateVerificationSession(redacted, { metadata: { a: '2' } }), 'update');
      expectRefusedAsRedacted(() => cancelVerificationSession(redacted), 'cancel');
      expectRefusedAsRedacted(() => redactVerificationSession(redacted, new Date(0)), 'redact');
    });
  });

  it('refuses update and cancel after cancel, and allows redact', () => {
    const canceled = cancelVerificationSession(withStatus('requires_input'));
    expectRefused(() => updateVerificationSession(canceled, {}), 'update', 'canceled');
    expectRefused(() => cancelVerificationSession(canceled), 'cancel', 'canceled');
    expect(redactVerificationSession(canceled, new Date(0)).redaction).toEqual({ status: 'processing' });
  });
});
