/**
 * Webhook endpoints as Stripe defines them (`/v1/webhook_endpoints`): where a business wants its
 * events POSTed, and which. Pure: the object, the rules of create and update, and which events
 * an endpoint receives. The endpoint's signing secret is not part of it: it is derived from the
 * endpoint's id and `secret_generation` (functions/wire/session-secrets.ts), so nothing stored
 * can sign.
 */
import { invalidParameter, quoted } from './errors';
import { applyMetadataPatch, type Metadata, type MetadataPatch } from './metadata';
import { SESSION_EVENT_TYPES, type SessionEventType } from './events';
import type { Mode, Scope } from './scope';

export interface WebhookEndpoint {
  id: string;
  account: string;
  mode: Mode;
  /** Epoch seconds. */
  created: number;
  url: string;
  /** Event types, or `['*']` for all of them (except `redacted`, which must be named). */
  enabled_events: string[];
  description: string | null;
  metadata: Metadata;
  /** The API version events are rendered in for this endpoint; null for the account's (Verity's one). */
  api_version: string | null;
  status: 'enabled' | 'disabled';
  /** Moves on when the secret is rolled; the secret shown is derived from it. */
  secret_generation: number;
}

/** Stripe's limit: at most 16 endpoints per account (here per account and mode, like every object). */
export const MAX_WEBHOOK_ENDPOINTS = 16;
/**
 * A well-formed event type: lower-case dotted words (`payment_intent.succeeded`,
 * `identity.verification_session.verified`, and names of majors Verity does not know yet).
 * Endpoints often mix payment and identity events, so any such name is stored as given; Verity
 * only ever sends identity events (`SESSION_EVENT_TYPES`), so the others are never delivered.
 */
const EVENT_TYPE = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$/;

export interface WebhookEndpointParams {
  url: string;
  enabled_events: string[];
  description?: string | '';
  metadata?: MetadataPatch;
  api_version?: string;
}

export interface WebhookEndpointUpdate {
  url?: string;
  enabled_events?: string[];
  description?: string | '';
  metadata?: MetadataPatch;
  disabled?: boolean;
}

/** A new endpoint, enabled. `url` must already have passed `checkEndpointUrl` for the scope's mode. */
export function createWebhookEndpoint(params: WebhookEndpointParams, context: { id: string; scope: Scope; now: Date }): WebhookEndpoint {
  return {
    id: context.id,
    account: context.scope.account,
    mode: context.scope.mode,
    created: Math.floor(context.now.getTime() / 1000),
    url: params.url,
    enabled_events: enabledEvents(params.enabled_events),
    description: params.description ? params.description : null,
    metadata: applyMetadataPatch({}, params.metadata),
    api_version: params.api_version ?? null,
    status: 'enabled',
    secret_generation: 1,
  };
}

export function updateWebhookEndpoint(endpoint: WebhookEndpoint, update: WebhookEndpointUpdate): WebhookEndpoint {
  return {
    ...endpoint,
    ...(update.url !== undefined ? { url: update.url } : {}),
    ...(update.enabled_events !== undefined ? { enabled_events: enabledEvents(update.enabled_events) } : {}),
    ...(update.description !== undefined ? { description: update.description === '' ? null : update.description } : {}),
    ...(update.metadata !== undefined ? { metadata: applyMetadataPatch(endpoint.metadata, update.metadata) } : {}),
    ...(update.disabled !== undefined ? { status: update.disabled ? 'disabled' : 'enabled' } : {}),
  };
}

/** The event types, each `*` or well-formed, none twice, at least one. Errors name `enabled_events`. */
function enabledEvents(types: string[]): string[] {
  if (types.length === 0) throw invalidParameter('parameter_missing', 'Missing required param: enabled_events.', 'enabled_events');
  types.forEach((type, i) => {
    if (type !== '*' && !EVENT_TYPE.test(type)) {
      throw invalidParameter(
        'parameter_invalid',
        `Invalid enabled_events[${i}]: ${quoted(type)} is not an event type; an event type is \`*\` or lower-case words joined by dots, ` +
          `such as ${SESSION_EVENT_TYPES[0]}.`,
        `enabled_events[${i}]`,
      );
    }
  });
  return [...new Set(types)];
}

/**
 * Whether the endpoint receives an event of `type`: an enabled endpoint that names it, or `*`
 * for every type but `redacted`, which Stripe sends only to endpoints that ask for it by name.
 */
export function receivesEvent(endpoint: WebhookEndpoint, type: SessionEventType): boolean {
  if (endpoint.status !== 'enabled') return false;
  if (endpoint.enabled_events.includes(type)) return true;
  return type !== 'identity.verification_session.redacted' && endpoint.enabled_events.includes('*');
}
