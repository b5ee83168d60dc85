/**
 * Live capture (`options.document.require_live_capture`, docs/hosted-page.md, *Live capture*): each
 * photo the page takes with its camera is uploaded with a capture nonce the server issued when the
 * camera opened for that photo. A nonce is 32 random base62 characters (about 190 bits), stored only
 * as a SHA-256 hash bound to the session, its account and mode; it is bound to the attempt and the
 * photo (`side`), lasts CAPTURE_NONCE_SECONDS and is spent by the one upload it admits. It is a
 * capture control, not proof: a virtual camera still feeds the page's camera. No I/O here.
 */
import { createHash } from 'node:crypto';
import { randomToken } from './ids';
import type { Scope } from './scope';

/** The photos a nonce may be issued for: the page's photo fields. */
export const CAPTURE_SIDES = ['document_front', 'document_back', 'selfie'] as const;
export type CaptureSide = (typeof CAPTURE_SIDES)[number];
/** How long a nonce admits an upload after it was issued, in seconds (10 minutes: time to frame a card and take the photo). */
export const CAPTURE_NONCE_SECONDS = 10 * 60;
/** At most this many nonces an attempt: ten camera openings for each of three photos. */
export const MAX_CAPTURE_NONCES_PER_ATTEMPT = 30;
/** At most this many nonces a verification session, whatever its attempts. */
export const MAX_CAPTURE_NONCES_PER_SESSION = 100;
/** A nonce's length, in base62 characters (≈ 5.95 bits each). */
export const CAPTURE_NONCE_LENGTH = 32;

/** A new nonce, as the page receives it. */
export const newCaptureNonce = () => randomToken(CAPTURE_NONCE_LENGTH);

/** Whether `value` has a nonce's form (checked before it is hashed, so no other text reaches the table). */
export const isCaptureNonce = (value: unknown): value is string =>
  typeof value === 'string' && value.length === CAPTURE_NONCE_LENGTH && /^[0-9A-Za-z]+$/.test(value);

/** The stored form of a nonce: a SHA-256 of it with the session, account and mode it was issued for (hex). */
export function captureNonceHash(scope: Scope, session: string, nonce: string): string {
  return createHash('sha256').update(`capture:${scope.account}:${scope.mode}:${session}:${nonce}`).digest('hex');
}
