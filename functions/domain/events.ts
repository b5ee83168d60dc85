/**
 * Which lifecycle events a change of a VerificationSession emits. Pure: derived from the session
 * before and after the change, so every transition, present or future, emits through one rule.
 */
import type { Metadata } from './metadata';
import type { VerificationSession } from './verification-session';

export const SESSION_EVENT_TYPES = [
  'identity.verification_session.created',
  'identity.verification_session.processing',
  'identity.verification_session.requires_input',
  'identity.verification_session.verified',
  'identity.verification_session.canceled',
  'identity.verification_session.redacted',
] as const;
export type SessionEventType = (typeof SESSION_EVENT_TYPES)[number];

/**
 * `before` is null for a session being created. A status change emits the event named after the
 * new status; finishing a redaction emits `redacted`. A change that touches neither (an update
 * of metadata, or marking a session for redaction without canceling it) emits nothing.
 */
export function sessionEventTypes(before: VerificationSession | null, after: VerificationSession): SessionEventType[] {
  if (before === null) return ['identity.verification_session.created'];
  const types: SessionEventType[] = [];
  if (before.status !== after.status) types.push(`identity.verification_session.${after.status}`);
  if (before.redaction?.status !== 'redacted' && after.redaction?.status === 'redacted') {
    types.push('identity.verification_session.redacted');
  }
  return types;
}

/** What caused a change: the request and its idempotency key, or null for changes nobody requested. */
export type EventRequest = { id: string | null; idempotency_key: string | null } | null;

/**
 * Stripe's Event object as Verity stores and sends it (rendered by `renderEvent` in
 * functions/wire/events.ts): `data.object` is the session as rendered then, without its
 * `client_secret` and `url`. Here so that the table's modules can keep events without the wire format.
 */
export interface StripeEvent {
  id: string;
  object: 'event';
  /** The Verity account the session belongs to. */
  account: string;
  api_version: string;
  /** Epoch seconds. */
  created: number;
  data: { object: { id: string; metadata: Metadata; [field: string]: unknown } };
  livemode: boolean;
  pending_webhooks: number;
  request: EventRequest;
  type: SessionEventType;
}
