import { describe, expect, it } from 'vitest';
import {
  credentialUsable,
  credentialUses,
  renewCredentials,
  spendAllCredentials,
  useCredential,
} from '../../../functions/domain/session-credentials';
import {
  cancelVerificationSession,
  createVerificationSession,
  submitVerificationSession,
} from '../../../functions/domain/verification-session';

const T0 = new Date('2026-03-04T05:06:07Z');
const later = (hours: number) => new Date(T0.getTime() + hours * 3600_000);
const session = () =>
  createVerificationSession(
    { type: 'document' },
    { id: 'vs_0000abcdEFGHijklMNOPqrst', scope: { account: 'acct_1', mode: 'test' }, now: T0 },
  );

describe('session credentials', () => {
  it('issue a client_secret good for 24 hours and a url good for 48', () => {
    const s = session();
    expect(credentialUsable(s, 'client_secret', later(23.99))).toBe(true);
    expect(credentialUsable(s, 'client_secret', later(24))).toBe(false);
    expect(credentialUsable(s, 'url', later(47.99))).toBe(true);
    expect(credentialUsable(s, 'url', later(48))).toBe(false);
  });

  it('are single use: spending one leaves the other usable', () => {
    const spent = useCredential(session(), 'url', T0);
    expect(credentialUsable(spent, 'url', T0)).toBe(false);
    expect(credentialUsable(spent, 'client_secret', T0)).toBe(true);
    expect(() => useCredential(spent, 'url', T0)).toThrow(/expired or was already used/);
  });

  it('are renewed one by one: only a used or expired credential moves to a new generation', () => {
    const s = session();
    expect(renewCredentials(s, T0)).toBe(s);
    const afterSecretExpired = renewCredentials(s, later(30));
    expect(afterSecretExpired.credentials.client_secret).toEqual({
      generation: 2,
      issued_at: Math.floor(later(30).getTime() / 1000),
      used: false,
    });
    expect(afterSecretExpired.credentials.url).toBe(s.credentials.url);
    const afterUse = renewCredentials(useCredential(s, 'url', T0), T0);
    expect(afterUse.credentials.url.generation).toBe(2);
    expect(afterUse.credentials.client_secret.generation).toBe(1);
  });

  it('are never usable nor renewed outside requires_input or once redaction began', () => {
    const processing = submitVerificationSession(session(), 'vsub_1');
    expect(credentialUsable(processing, 'client_secret', T0)).toBe(false);
    expect(renewCredentials(processing, T0)).toBe(processing);
    const canceled = cancelVerificationSession(session());
    expect(credentialUsable(canceled, 'url', T0)).toBe(false);
    expect(renewCredentials(canceled, later(100))).toBe(canceled);
    const redacting = { ...session(), redaction: { status: 'processing' as const } };
    expect(credentialUsable(redacting, 'url', T0)).toBe(false);
  });

  it('are all spent by a submission, so a session that comes back hands out a fresh pair', () => {
    const spent = spendAllCredentials(session().credentials);
    expect(spent.client_secret.used && spent.url.used).toBe(true);
    expect(submitVerificationSession(session(), 'vsub_1').credentials).toEqual(spent);
  });

  it('count every spend over both kinds and every generation, so a page cookie can tell a later acceptance', () => {
    const s = session();
    expect(credentialUses(s.credentials)).toBe(0);
    const urlSpent = useCredential(s, 'url', T0);
    expect(credentialUses(urlSpent.credentials)).toBe(1);
    // A fresh link is issued: the count stays, nothing was accepted.
    const renewed = renewCredentials(urlSpent, T0);
    expect(renewed.credentials.url.generation).toBe(2);
    expect(credentialUses(renewed.credentials)).toBe(1);
    expect(credentialUses(useCredential(renewed, 'url', T0).credentials)).toBe(2);
    expect(credentialUses(useCredential(renewed, 'client_secret', T0).credentials)).toBe(2);
    // A submission spends both without an acceptance: it does not count (the attempt tells that).
    expect(credentialUses(spendAllCredentials(renewed.credentials))).toBe(1);
  });

  it('read a session stored before spends were counted as none', () => {
    const { uses: _, ...stored } = useCredential(session(), 'url', T0).credentials.url;
    expect(credentialUses({ ...session().credentials, url: stored })).toBe(0);
  });
});
