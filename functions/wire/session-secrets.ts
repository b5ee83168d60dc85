/**
 * The `client_secret` and `url` of a session waiting for input. Each value is an HMAC of the
 * session and the credential's current generation under a server-side signing secret, so nothing
 * secret is stored: a presented value is checked by deriving it again. Spending or renewing a
 * credential moves its generation on (domain/session-credentials.ts), which retires the old value.
 *
 * Both carry the session's account and id in clear, so the page can find the session they open;
 * only the tag proves them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { credentialUsable, type CredentialKind } from '../domain/session-credentials';
import type { Mode, Scope, VerificationSession } from '../domain/verification-session';

export interface SessionSecrets {
  client_secret: string | null;
  url: string | null;
}

const TAG_LENGTH = 40;
const PAGE_PATH = '/start/';

export function sessionSecrets(session: VerificationSession, now: Date = new Date()): SessionSecrets {
  return {
    client_secret: credentialUsable(session, 'client_secret', now) ? presentedValue(session, 'client_secret') : null,
    url: credentialUsable(session, 'url', now) ? `${publicUrl()}${PAGE_PATH}${presentedValue(session, 'url')}` : null,
  };
}

/**
 * What a person presents to open the verification page: the url's token (the last segment of
 * the `url`), or a `client_secret`.
 */
function presentedValue(session: VerificationSession, kind: CredentialKind): string {
  const tag = tagOf(session, kind);
  if (kind === 'client_secret') return `${session.id}_secret_${session.mode}_${encode(session.account)}${tag}`;
  return `${session.mode === 'test' ? 'test_' : ''}${encode(`${session.account}:${session.id}`)}_${tag}`;
}

/** Which session a presented credential claims to open. Says nothing of whether it is genuine. */
export function claimedSession(presented: string): { kind: CredentialKind; scope: Scope; id: string } | undefined {
  const secret = /^(vs_[0-9A-Za-z]{24})_secret_(test|live)_([A-Za-z0-9_-]+)$/.exec(presented);
  if (secret) {
    const account = decode(secret[3]!.slice(0, -TAG_LENGTH));
    if (!account) return undefined;
    return { kind: 'client_secret', scope: { account, mode: secret[2] as Mode }, id: secret[1]! };
  }
  const token = /^(test_)?([A-Za-z0-9_-]+)$/.exec(presented);
  if (!token || token[2]!.length <= TAG_LENGTH + 1) return undefined;
  const [account, id] = (decode(token[2]!.slice(0, -TAG_LENGTH - 1)) ?? '').split(':');
  if (!account || !id || !/^vs_[0-9A-Za-z]{24}$/.test(id)) return undefined;
  return { kind: 'url', scope: { account, mode: token[1] ? 'test' : 'live' }, id };
}

/** Whether `presented` is the session's current credential of `kind` (used or not, expired or not). */
export function isCurrentCredential(session: VerificationSession, kind: CredentialKind, presented: string): boolean {
  const expected = Buffer.from(presentedValue(session, kind));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function tagOf(session: VerificationSession, kind: CredentialKind): string {
  const { generation } = session.credentials[kind];
  return createHmac('sha256', signingSecret())
    .update(`${kind}:${session.account}:${session.mode}:${session.id}:${generation}`)
    .digest('hex')
    .slice(0, TAG_LENGTH);
}

const encode = (text: string) => Buffer.from(text).toString('base64url');
function decode(text: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const decoded = Buffer.from(text, 'base64url').toString('utf8');
  return encode(decoded) === text ? decoded : undefined;
}

/** Signs credentials and the page's own cookie. */
export function signingSecret(): string {
  const secret = process.env.VERITY_SIGNING_SECRET;
  if (!secret || secret.length < 32) {
    throw new Error('VERITY_SIGNING_SECRET must be set to at least 32 random characters.');
  }
  return secret;
}

/** Where the hosted verification page is served. */
export function publicUrl(): string {
  return (process.env.VERITY_PUBLIC_URL ?? 'http://localhost:4242').replace(/\/+$/, '');
}
