/**
 * The `client_secret` and `url` of a session waiting for input. Both are derived with an HMAC
 * from the session id and a server-side signing secret, so nothing secret is stored: whoever
 * holds the signing secret can check a presented value by deriving it again.
 */
import { createHmac } from 'node:crypto';
import type { VerificationSession } from '../domain/verification-session';

export interface SessionSecrets {
  client_secret: string | null;
  url: string | null;
}

export function sessionSecrets(session: VerificationSession): SessionSecrets {
  if (session.status !== 'requires_input' || session.redaction !== null) return { client_secret: null, url: null };
  const tag = (purpose: string) =>
    createHmac('sha256', signingSecret()).update(`${purpose}:${session.account}:${session.mode}:${session.id}`).digest('hex');
  const token = `${Buffer.from(`${session.account}:${session.id}`).toString('base64url')}_${tag('url').slice(0, 40)}`;
  return {
    client_secret: `${session.id}_secret_${session.mode}_${tag('client_secret').slice(0, 40)}`,
    url: `${publicUrl()}/start/${session.mode === 'test' ? 'test_' : ''}${token}`,
  };
}

function signingSecret(): string {
  const secret = process.env.VERITY_SIGNING_SECRET;
  if (!secret || secret.length < 32) {
    throw new Error('VERITY_SIGNING_SECRET must be set to at least 32 random characters.');
  }
  return secret;
}

/** Where the hosted verification page is served. */
function publicUrl(): string {
  return (process.env.VERITY_PUBLIC_URL ?? 'http://localhost:4242').replace(/\/+$/, '');
}
