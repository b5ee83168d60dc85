/**
 * `POST /console/review/reveal` (reviewer): the "To review" page with what the checks read of each
 * person and short-lived image links, answered to this POST only (never at a URL a browser could
 * reopen), after one `reveal` per session shown is written to the audit log.
 */
import { checkCsrf, requireConsole } from './console-access';
import { consoleHtml, consoleRoute, formOf } from './console-http';
import { renderReviewQueue } from './render-review';
import { reviewCursor, reviewQueueView } from './review-page';
import { audit } from './session-page';

export const handler = consoleRoute(async (event) => {
  const now = new Date();
  const { session: operator } = await requireConsole(event, 'reviewer', now);
  const form = formOf(event);
  checkCsrf(operator, form);
  const after = reviewCursor(typeof form.starting_after === 'string' && form.starting_after !== '' ? form.starting_after : undefined);
  const view = await reviewQueueView(operator, { revealed: true, after }, now);
  // Recorded before anything personal leaves: a reveal that could not be recorded shows nothing.
  for (const { review } of view.items)
    await audit(event, operator, 'reveal', { object: 'identity.verification_session', id: review.session }, now);
  return consoleHtml((nonce) => renderReviewQueue(view, nonce));
});
