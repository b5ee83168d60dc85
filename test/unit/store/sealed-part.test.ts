import { describe, expect, it } from 'vitest';
import { sealedPart, withSealedPart } from '../../../functions/store/session-keys';
import { withoutPersonalValues } from '../../../functions/domain/redaction';
import { createVerificationSession } from '../../../functions/domain/verification-session';
import { newKey, openJson, sealBytes, sealJson } from '../../../functions/store/encryption';

const session = createVerificationSession(
  {
    type: 'document',
    client_reference_id: 'customer-42',
    metadata: { order: '1', note: 'Jane Doe' },
    provided_details: { email: 'jane@example.com' },
    related_customer: 'cus_1',
  },
  { id: 'vs_1SealedPart', scope: { account: 'acct_1', mode: 'test' }, now: new Date('2026-01-01T00:00:00Z') },
);

describe('the sealed part of a value', () => {
  it('holds only what differs from the clear form, and makes the whole value again beside it', () => {
    const clear = withoutPersonalValues(session);
    const part = sealedPart(session, clear);
    expect(withSealedPart(structuredClone(part), clear)).toEqual(session);
    // Only the personal values: far smaller than the whole session, and no clear-only field (the status) in it.
    expect(JSON.stringify(part).length).toBeLessThan(JSON.stringify(session).length / 2);
    expect(JSON.stringify(part)).not.toContain('"status"');
    expect(JSON.stringify(part)).toContain('customer-42');
  });

  it('takes whole what the clear form lacks or has more of: arrays, strings, objects with other keys', () => {
    const value = { a: [1, 2], b: { c: 'x' }, d: null, e: 'same' };
    const clear = { a: [], b: { c: 'x', extra: true }, d: { f: 1 }, e: 'same' };
    expect(withSealedPart(sealedPart(value, clear), clear)).toEqual(value);
    expect(withSealedPart(sealedPart('secret', '[redacted]'), '[redacted]')).toBe('secret');
  });

  it('reads a value sealed whole (before items were made smaller) as it is', () => {
    expect(withSealedPart(session, withoutPersonalValues(session))).toEqual(session);
  });
});

describe('a sealed JSON value', () => {
  const key = newKey();
  const context = 'acct_1#test#vs_1SealedPart|verification_session|session';

  it('is deflated before it is sealed, and opens to the same value', () => {
    const body = JSON.stringify(session);
    const sealed = sealJson(key, { body }, context);
    // A saved response's body (a session's JSON, escaped in JSON): its repeated names shrink by more than a third.
    expect(sealed.length).toBeLessThan(body.length * 0.65);
    expect(openJson(key, sealed, context)).toEqual({ body });
  });

  it('opens a value sealed before compression as it is', () => {
    const before = sealBytes(key, Buffer.from(JSON.stringify(session), 'utf8'), context);
    expect(openJson(key, before, context)).toEqual(session);
  });
});
