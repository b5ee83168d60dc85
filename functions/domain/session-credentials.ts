/**
 * The two credentials a session waiting for input hands out: the `client_secret` (24 hours) and
 * the `url` (48 hours). Each is single use. The session keeps only a generation number per
 * credential, when it was issued and whether it was used; the values themselves are derived
 * from the generation under a server-side signing secret (functions/wire/session-secrets.ts),
 * so nothing stored can be presented as a credential.
 */
import { VerityError } from './errors';
import type { CredentialKind, SessionCredentials, VerificationSession } from './verification-session-types';
import { CREDENTIAL_KINDS } from './verification-session-types';

export { CREDENTIAL_KINDS } from './verification-session-types';
export type { Credential, CredentialKind, SessionCredentials } from './verification-session-types';

export const CREDENTIAL_LIFETIME_SECONDS: Record<CredentialKind, number> = {
  client_secret: 24 * 60 * 60,
  url: 48 * 60 * 60,
};

const seconds = (now: Date) => Math.floor(now.getTime() / 1000);

export function firstCredentials(now: Date): SessionCredentials {
  const issued = { generation: 1, issued_at: seconds(now), used: false };
  return { client_secret: issued, url: { ...issued } };
}

/** Whether the credential of this generation may still be presented. */
export function credentialUsable(session: VerificationSession, kind: CredentialKind, now: Date): boolean {
  if (session.status !== 'requires_input' || session.redaction !== null) return false;
  const credential = session.credentials[kind];
  return !credential.used && seconds(now) < credential.issued_at + CREDENTIAL_LIFETIME_SECONDS[kind];
}

/**
 * A retrieve of a session waiting for input issues a fresh credential in place of each one that
 * was used or has expired. Returns the same object when there is nothing to renew.
 */
export function renewCredentials(session: VerificationSession, now: Date): VerificationSession {
  if (session.status !== 'requires_input' || session.redaction !== null) return session;
  const stale = CREDENTIAL_KINDS.filter((kind) => !credentialUsable(session, kind, now));
  if (stale.length === 0) return session;
  const credentials = { ...session.credentials };
  for (const kind of stale) {
    const { generation, uses } = credentials[kind];
    credentials[kind] = { generation: generation + 1, issued_at: seconds(now), used: false, ...(uses ? { uses } : {}) };
  }
  return { ...session, credentials };
}

/** Spends a credential: it opens the verification page once. */
export function useCredential(session: VerificationSession, kind: CredentialKind, now: Date): VerificationSession {
  if (!credentialUsable(session, kind, now)) throw credentialRefused();
  const credential = session.credentials[kind];
  return { ...session, credentials: { ...session.credentials, [kind]: { ...credential, used: true, uses: (credential.uses ?? 0) + 1 } } };
}

/** How many times any credential of the session was spent on the page: it only ever grows. */
export const credentialUses = (credentials: SessionCredentials): number =>
  CREDENTIAL_KINDS.reduce((total, kind) => total + (credentials[kind].uses ?? 0), 0);

/** Leaving `requires_input` spends both: a session that comes back needs a fresh pair. */
export function spendAllCredentials(credentials: SessionCredentials): SessionCredentials {
  return { client_secret: { ...credentials.client_secret, used: true }, url: { ...credentials.url, used: true } };
}

export const credentialRefused = () =>
  new VerityError(
    'unexpected_state',
    'verification_session_link_expired',
    'This verification link has expired or was already used. Ask for a new link to continue.',
  );
