/**
 * Desktop to phone (docs/hosted-page.md, *Continue on a phone*): a browser that may act on a
 * session's capture step asks for a hand-off link, a QR code of it on screen, which opens the same
 * session on a phone once. The link's credential is 32 random base62 characters (about 190 bits,
 * more than the session `url` tag's 160), stored only as a SHA-256 hash bound to the session, its
 * account and mode; it lasts HANDOFF_SECONDS and is spent by its first use. It is never the
 * session's `client_secret` or `url` token, nor derived from them. No I/O here.
 */
import { createHash } from 'node:crypto';
import { randomToken } from './ids';
import type { Mode, Scope } from './scope';

/** How long a hand-off link may be opened, in seconds (10 minutes). */
export const HANDOFF_SECONDS = 10 * 60;
/** At most this many hand-off links of a session may be live (issued, unused, unexpired) at once: one slot each. */
export const HANDOFF_SLOTS = 5;
/** At most this many hand-off links in all, for a session. */
export const MAX_HANDOFFS = 20;
/** The random part of a hand-off link's credential: base62 characters (≈ 5.95 bits each). */
export const HANDOFF_SECRET_LENGTH = 32;

/** A hand-off credential as parsed from its link: which session it claims, which slot, and its secret. Proves nothing. */
export interface ClaimedHandoff {
  scope: Scope;
  session: string;
  slot: number;
  secret: string;
}

const encode = (text: string) => Buffer.from(text).toString('base64url');
const ACCOUNT = /^acct_[0-9A-Za-z]{1,64}$/;
const SESSION = /^vs_[0-9A-Za-z]{24}$/;

/**
 * A new hand-off credential for `slot` of a session: `{mode}.{slot}.{base64url(account:session)}.{secret}`.
 * The session is named in clear (as in the session's `url`) so the link finds its item; only the secret proves it.
 */
export function newHandoffCredential(scope: Scope, session: string, slot: number): { credential: string; secret: string } {
  const secret = randomToken(HANDOFF_SECRET_LENGTH);
  return { credential: `${scope.mode}.${slot}.${encode(`${scope.account}:${session}`)}.${secret}`, secret };
}

/** What a presented hand-off credential claims, or undefined when it is not one (any other text, any length). */
export function claimedHandoff(presented: string): ClaimedHandoff | undefined {
  if (presented.length > 200) return undefined;
  const match = /^(test|live)\.(\d)\.([A-Za-z0-9_-]+)\.([0-9A-Za-z]+)$/.exec(presented);
  if (!match) return undefined;
  const slot = Number(match[2]);
  if (slot >= HANDOFF_SLOTS || match[4]!.length !== HANDOFF_SECRET_LENGTH) return undefined;
  const decoded = Buffer.from(match[3]!, 'base64url').toString('utf8');
  if (encode(decoded) !== match[3]) return undefined;
  const [account, session, ...rest] = decoded.split(':');
  if (rest.length || !account || !ACCOUNT.test(account) || !session || !SESSION.test(session)) return undefined;
  return { scope: { account, mode: match[1] as Mode }, session, slot, secret: match[4]! };
}

/** The stored form of a secret: a SHA-256 of it with the session, account and mode it was issued for (hex). */
export function handoffHash(scope: Scope, session: string, secret: string): string {
  return createHash('sha256').update(`handoff:${scope.account}:${scope.mode}:${session}:${secret}`).digest('hex');
}
