/** Stripe's `type` filter on events: an event name, or a group of them with `*` as a wildcard. */
import { SESSION_EVENT_TYPES, type SessionEventType } from './events';

export function eventTypesMatching(pattern: string): SessionEventType[] {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return SESSION_EVENT_TYPES.filter((type) => regex.test(type));
}
