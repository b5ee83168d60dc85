/**
 * `GET /v1/verity/console_audit_events` (Verity's own, outside Stripe's namespace): the account's
 * console audit log in the key's mode, as a Stripe list (newest first, `limit`, `starting_after`,
 * `ending_before`, `created`). Secret keys only: no restricted-key permission names it.
 */
import { CONSOLE_AUDIT_ID_PREFIX, listConsoleAuditEvents } from '../store/audit-log';
import { checkCursors, listEnvelope, pageParams, pageQuery } from '../wire/lists';
import { stripeEndpoint } from './endpoint';

export const CONSOLE_AUDIT_EVENTS_URL = '/v1/verity/console_audit_events';

export const handler = stripeEndpoint({ ...pageParams() }, async ({ params, scope }) => {
  checkCursors(params, CONSOLE_AUDIT_ID_PREFIX, 'console_audit_event');
  const { data, hasMore } = await listConsoleAuditEvents(scope, pageQuery(params));
  return listEnvelope(CONSOLE_AUDIT_EVENTS_URL, data, hasMore);
});
