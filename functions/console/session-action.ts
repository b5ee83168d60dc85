/**
 * The admin's actions on a session (cancel, redact): the same transition, events and webhooks as
 * the API's (functions/flows/session-actions.ts), recorded in the audit log, then back to the session page.
 */
import { VerityError } from '../domain/errors';
import { requestIdOf } from '../http/stripe-responses';
import { applySessionTransition, type SessionTransition } from '../flows/session-actions';
import { checkCsrf, CONSOLE_PATH, ConsoleRefusal, requireConsole } from './console-access';
import { consoleRedirect, consoleRoute, formOf } from './console-http';
import { audit, sessionIdOf } from './session-page';

export const sessionActionRoute = (action: 'cancel' | 'redact', transition: SessionTransition) =>
  consoleRoute(async (event) => {
    const now = new Date();
    const { session: operator } = await requireConsole(event, 'admin', now);
    const form = formOf(event);
    checkCsrf(operator, form);
    const id = sessionIdOf(event);
    if (action === 'redact' && form.confirm !== 'redact') {
      throw new ConsoleRefusal(
        400,
        'Not redacted',
        'Redaction cannot be undone: tick "I understand that this cannot be undone" to confirm it. Nothing was changed.',
      );
    }
    try {
      await applySessionTransition(operator.scope, id, transition, { request: { id: requestIdOf(event), idempotency_key: null }, now });
    } catch (error) {
      if (error instanceof VerityError && error.kind === 'resource_missing')
        throw new ConsoleRefusal(404, 'Not found', 'There is no verification session with this id in this account and mode.');
      if (error instanceof VerityError)
        throw new ConsoleRefusal(400, `Not ${action === 'cancel' ? 'canceled' : 'redacted'}`, error.message);
      throw error;
    }
    await audit(event, operator, action, { object: 'identity.verification_session', id }, now);
    // Post/redirect/get: reloading the page shows the session again, never sends the action twice.
    return consoleRedirect(`${CONSOLE_PATH}/verification_sessions/${id}?done=${action}`);
  });
