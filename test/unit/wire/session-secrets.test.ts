import { describe, expect, it } from 'vitest';
import { createVerificationSession } from '../../../functions/domain/verification-session';
import {
  claimedSession,
  isCurrentCredential,
  sessionSecrets,
  withCredentials,
  withoutCredentials,
} from '../../../functions/wire/session-secrets';
import { renderVerificationSession } from '../../../functions/wire/verification-session';

const scope = { account: 'acct_secrets1', mode: 'test' as const };
const session = createVerificationSession({ type: 'document' }, { id: 'vs_0000abcdEFGHijklMNOPqrst', scope, now: new Date() });
const token = (url: string) => url.slice(url.lastIndexOf('/') + 1);

describe('session credentials on the wire', () => {
  it('name the session they open, and only the current generation is genuine', () => {
    const { client_secret, url } = sessionSecrets(session);
    expect(claimedSession(client_secret!)).toEqual({ kind: 'client_secret', scope, id: session.id });
    expect(claimedSession(token(url!))).toEqual({ kind: 'url', scope, id: session.id });
    expect(isCurrentCredential(session, 'url', token(url!))).toBe(true);
    const renewed = { ...session, credentials: { ...session.credentials, url: { ...session.credentials.url, generation: 2 } } };
    expect(isCurrentCredential(renewed, 'url', token(url!))).toBe(false);
  });

  it('claim no session for an account that Verity could not have made (a key DynamoDB would refuse)', () => {
    const forged = `test_${Buffer.from(`acct_${'x'.repeat(3000)}:${session.id}`).toString('base64url')}_${'0'.repeat(40)}`;
    expect(claimedSession(forged)).toBeUndefined();
    expect(claimedSession(`test_${Buffer.from(`acct_a#b:${session.id}`).toString('base64url')}_${'0'.repeat(40)}`)).toBeUndefined();
  });

  it('are never kept in a saved response, yet a replay shows the very same values', () => {
    const body = renderVerificationSession(session, new Set());
    const { body: kept, shown, sessionId } = withoutCredentials(body, session);
    expect(sessionId).toBe(session.id);
    expect(JSON.stringify(kept)).not.toContain(body.client_secret!);
    expect(JSON.stringify(kept)).not.toContain(token(body.url!));
    expect(JSON.stringify(withCredentials(kept, shown, scope))).toBe(JSON.stringify(body));
    // Anything else passes through untouched.
    expect(withoutCredentials({ object: 'list', data: [] }, session)).toEqual({ body: { object: 'list', data: [] } });
  });
});
