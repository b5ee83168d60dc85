/**
 * `POST /console/verification_sessions/{id}/override` (reviewer): a person's decision overriding the
 * checks' verdict, as Stripe's Dashboard has one: `status=verified` for a session back in
 * `requires_input` after a failed check, or `status=requires_input` with a `code` (Stripe's
 * `last_error.code`) for a `verified` one, always with a written `reason`. The session and its last
 * report change as a verdict changes them, with its event and webhooks (functions/session-actions.ts
 * `applyStatusOverride`); the audit log records who, when, what and why. The same form decides a
 * `processing` session whose verdict the review policy holds (the "To review" queue,
 * functions/console/review-queue.ts): `verified` or `requires_input` with a code, as for the others.
 */
import { VerityError } from '../domain/errors';
import { requestIdOf } from '../http/stripe-responses';
import { applyStatusOverride } from '../flows/session-actions';
import { checkCsrf, CONSOLE_PATH, ConsoleRefusal, requireConsole } from './console-access';
import { consoleRedirect, consoleRoute, formOf } from './console-http';
import { audit, sessionIdOf } from './session-page';

const text = (value: unknown) => (typeof value === 'string' ? value : '');

export const handler = consoleRoute(async (event) => {
  const now = new Date();
  const { session: operator } = await requireConsole(event, 'reviewer', now);
  const form = formOf(event);
  checkCsrf(operator, form);
  const id = sessionIdOf(event);
  const status = text(form.status);
  if (status !== 'verified' && status !== 'requires_input') {
    throw new ConsoleRefusal(400, 'Not overridden', 'Choose the status to set: verified or requires_input. Nothing was changed.');
  }
  const reason = text(form.reason);
  const code = status === 'requires_input' ? text(form.code) || undefined : undefined;
  let from: string;
  try {
    ({ from } = await applyStatusOverride(
      operator.scope,
      id,
      { status, code, reason, operator: operator.email },
      { request: { id: requestIdOf(event), idempotency_key: null }, now },
    ));
  } catch (error) {
    if (error instanceof VerityError && error.kind === 'resource_missing')
      throw new ConsoleRefusal(404, 'Not found', 'There is no verification session with this id in this account and mode.');
    if (error instanceof VerityError) throw new ConsoleRefusal(400, 'Not overridden', `${error.message} Nothing was changed.`);
    throw error;
  }
  await audit(event, operator, 'override', { object: 'identity.verification_session', id }, now, {
    // `processing` for a verdict decided from the review queue.
    from,
    to: status,
    code: code ?? null,
    reason: reason.trim(),
  });
  // Decided from the queue: back to the queue, for the next one.
  if (form.return_to === 'review') return consoleRedirect(`${CONSOLE_PATH}/review?done=decided`);
  return consoleRedirect(`${CONSOLE_PATH}/verification_sessions/${id}?done=override`);
});
