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
import type { VerificationSession } from '../domain/verification-session';
import type { Mode, Scope } from '../domain/scope';
import { signingSecret } from '../secrets/signing-secret';

export interface SessionSecrets {
  client_secret: string | null;
  url: string | null;
}

const TAG_LENGTH = 40;
/** Account ids as Verity makes them (and `npm run keys` accepts): anything else names no session. */
const ACCOUNT = /^acct_[0-9A-Za-z]{1,64}$/;
const PAGE_PATH = '/start/';

export function sessionSecrets(session: VerificationSession, now: Date = new Date()): SessionSecrets {
  return {
    client_secret: credentialUsable(session, 'client_secret', now) ? presentedValue(session, 'client_secret') : null,
    url: credentialUsable(session, 'url', now) ? pageUrlOf(presentedValue(session, 'url')) : null,
  };
}

/**
 * What a person presents to open the verification page: the url's token (the last segment of
 * the `url`), or a `client_secret`.
 */
function presentedValue(session: VerificationSession, kind: CredentialKind): string {
  return credentialOf(session, kind, session.credentials[kind].generation);
}

type SessionIdentity = Pick<VerificationSession, 'id' | 'account' | 'mode'>;

function credentialOf(session: SessionIdentity, kind: CredentialKind, generation: number): string {
  const tag = tagOf(session, kind, generation);
  if (kind === 'client_secret') return `${session.id}_secret_${session.mode}_${encode(session.account)}${tag}`;
  return `${session.mode === 'test' ? 'test_' : ''}${encode(`${session.account}:${session.id}`)}_${tag}`;
}

const pageUrlOf = (token: string) => `${publicUrl()}${PAGE_PATH}${token}`;

/**
 * A webhook endpoint's signing secret (`whsec_…`, 32 base62-like characters after the prefix):
 * an HMAC of the endpoint and its secret generation under the signing secret, derived again
 * whenever an event is signed, so the table holds nothing that signs. Rolling the secret moves the
 * generation on.
 */
export function webhookEndpointSecret(scope: Scope, endpointId: string, generation: number): string {
  const tag = createHmac('sha256', signingSecret())
    .update(`webhook_endpoint:${scope.account}:${scope.mode}:${endpointId}:${generation}`)
    .digest('base64url');
  return `whsec_${tag.slice(0, 32)}`;
}

/** Which credential generations a rendered session (or a webhook endpoint's `secret`) shows: what a saved response keeps in their place. */
export type ShownCredentials = Partial<Record<CredentialKind | 'secret', number>>;

/**
 * A response body as an idempotency record may keep it: a session's `client_secret` and `url`
 * replaced by null, with the generations they were, so the record holds nothing that opens the
 * page and a replay can derive the very same values again.
 */
export function withoutCredentials(
  body: unknown,
  session?: VerificationSession,
): { body: unknown; shown?: ShownCredentials; sessionId?: string } {
  const object = body as { object?: string; id?: string; client_secret?: string | null; url?: string | null } | null;
  if (object?.object === 'webhook_endpoint') return withoutEndpointSecret(body as { secret?: string; secret_generation?: number });
  if (object?.object !== 'identity.verification_session') return { body };
  const shown: ShownCredentials = {};
  for (const kind of ['client_secret', 'url'] as const) {
    if (object[kind] && session) shown[kind] = session.credentials[kind].generation;
  }
  return { body: { ...object, client_secret: null, url: null }, sessionId: object.id, ...(Object.keys(shown).length ? { shown } : {}) };
}

/**
 * A created webhook endpoint's response as a saved response keeps it: without its `secret`, with
 * the generation it was (which the create handler passes as `secret_generation`, never shown).
 */
function withoutEndpointSecret(body: { secret?: string; secret_generation?: number }): { body: unknown; shown?: ShownCredentials } {
  const { secret, secret_generation, ...kept } = body;
  return { body: kept, ...(secret !== undefined && secret_generation !== undefined ? { shown: { secret: secret_generation } } : {}) };
}

/** The body a replay answers with: the credentials the first response showed, derived again. */
export function withCredentials(body: unknown, shown: ShownCredentials | undefined, scope: Scope): unknown {
  const object = body as { object?: string; id?: string } | null;
  if (shown?.secret !== undefined && object?.object === 'webhook_endpoint' && object.id) {
    return { ...object, secret: webhookEndpointSecret(scope, object.id, shown.secret) };
  }
  if (!shown || object?.object !== 'identity.verification_session' || !object.id) return body;
  const identity = { id: object.id, account: scope.account, mode: scope.mode };
  return {
    ...object,
    ...(shown.client_secret !== undefined ? { client_secret: credentialOf(identity, 'client_secret', shown.client_secret) } : {}),
    ...(shown.url !== undefined ? { url: pageUrlOf(credentialOf(identity, 'url', shown.url)) } : {}),
  };
}

/** Which session a presented credential claims to open. Says nothing of whether it is genuine. */
export function claimedSession(presented: string): { kind: CredentialKind; scope: Scope; id: string } | undefined {
  const secret = /^(vs_[0-9A-Za-z]{24})_secret_(test|live)_([A-Za-z0-9_-]+)$/.exec(presented);
  if (secret) {
    const account = decode(secret[3]!.slice(0, -TAG_LENGTH));
    if (!account || !ACCOUNT.test(account)) return undefined;
    return { kind: 'client_secret', scope: { account, mode: secret[2] as Mode }, id: secret[1]! };
  }
  const token = /^(test_)?([A-Za-z0-9_-]+)$/.exec(presented);
  if (!token || token[2]!.length <= TAG_LENGTH + 1) return undefined;
  const [account, id] = (decode(token[2]!.slice(0, -TAG_LENGTH - 1)) ?? '').split(':');
  if (!account || !ACCOUNT.test(account) || !id || !/^vs_[0-9A-Za-z]{24}$/.test(id)) return undefined;
  return { kind: 'url', scope: { account, mode: token[1] ? 'test' : 'live' }, id };
}

/** Whether `presented` is the session's current credential of `kind` (used or not, expired or not). */
export function isCurrentCredential(session: VerificationSession, kind: CredentialKind, presented: string): boolean {
  const expected = Buffer.from(presentedValue(session, kind));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function tagOf(session: SessionIdentity, kind: CredentialKind, generation: number): string {
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

/** Where the hosted verification page is served. */
export function publicUrl(): string {
  return (process.env.VERITY_PUBLIC_URL ?? 'http://localhost:4242').replace(/\/+$/, '');
}
