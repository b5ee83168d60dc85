import { describe, expect, it } from 'vitest';
import { eventTypesMatching } from '../../../functions/domain/event-types';
import { SESSION_EVENT_TYPES, sessionEventTypes } from '../../../functions/domain/events';
import {
  cancelVerificationSession,
  createVerificationSession,
  redactVerificationSession,
  updateVerificationSession,
  type SessionStatus,
  type VerificationSession,
} from '../../../functions/domain/verification-session';

const created = createVerificationSession(
  { type: 'document' },
  { id: 'vs_0000000000000000000000000', scope: { account: 'acct_1', mode: 'test' }, now: new Date(0) },
);
const withStatus = (status: SessionStatus, redaction: VerificationSession['redaction'] = null): VerificationSession => ({
  ...created,
  status,
  redaction,
});

describe('the events a change emits', () => {
  it('emits created for a new session', () => {
    expect(sessionEventTypes(null, created)).toEqual(['identity.verification_session.created']);
  });

  it.each([
    ['requires_input', 'processing', 'identity.verification_session.processing'],
    ['processing', 'verified', 'identity.verification_session.verified'],
    ['processing', 'requires_input', 'identity.verification_session.requires_input'],
    ['requires_input', 'canceled', 'identity.verification_session.canceled'],
  ] as const)('emits one event when the status goes from %s to %s', (from, to, type) => {
    expect(sessionEventTypes(withStatus(from), withStatus(to))).toEqual([type]);
  });

  it('emits redacted when a redaction finishes, and nothing when it only starts on a verified session', () => {
    const marked = withStatus('verified', { status: 'processing' });
    expect(sessionEventTypes(withStatus('verified'), marked)).toEqual([]);
    expect(sessionEventTypes(marked, withStatus('verified', { status: 'redacted' }))).toEqual(['identity.verification_session.redacted']);
    expect(sessionEventTypes(withStatus('verified', { status: 'redacted' }), withStatus('verified', { status: 'redacted' }))).toEqual([]);
  });

  it('covers all six event types', () => {
    const seen = new Set([
      ...sessionEventTypes(null, created),
      ...sessionEventTypes(withStatus('requires_input'), withStatus('processing')),
      ...sessionEventTypes(withStatus('processing'), withStatus('verified')),
      ...sessionEventTypes(withStatus('processing'), withStatus('requires_input')),
      ...sessionEventTypes(withStatus('requires_input'), withStatus('canceled')),
      ...sessionEventTypes(withStatus('canceled', { status: 'processing' }), withStatus('canceled', { status: 'redacted' })),
    ]);
    expect([...seen].sort()).toEqual([...SESSION_EVENT_TYPES].sort());
  });

  it('follows the transitions of the core', () => {
    expect(sessionEventTypes(created, cancelVerificationSession(created))).toEqual(['identity.verification_session.canceled']);
    // Redacting a session that waits for input cancels it, so it emits canceled.
    expect(sessionEventTypes(created, redactVerificationSession(created, new Date(0)))).toEqual(['identity.verification_session.canceled']);
    expect(sessionEventTypes(created, updateVerificationSession(created, { metadata: { a: 'b' } }))).toEqual([]);
  });
});

describe('event type patterns', () => {
  it('matches exact names, * wildcards, and nothing for unknown names', () => {
    expect(eventTypesMatching('identity.verification_session.verified')).toEqual(['identity.verification_session.verified']);
    expect(eventTypesMatching('identity.verification_session.*')).toEqual([...SESSION_EVENT_TYPES]);
    expect(eventTypesMatching('*')).toEqual([...SESSION_EVENT_TYPES]);
    expect(eventTypesMatching('identity.verification_session.re*')).toEqual([
      'identity.verification_session.requires_input',
      'identity.verification_session.redacted',
    ]);
    expect(eventTypesMatching('charge.*')).toEqual([]);
    expect(eventTypesMatching('identity.verification_session.verifie')).toEqual([]);
    // Regular-expression characters mean themselves.
    expect(eventTypesMatching('identity.verification_session.(created|canceled)')).toEqual([]);
  });
});
