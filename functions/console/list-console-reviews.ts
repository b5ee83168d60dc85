/**
 * `GET /console/review` (reviewer): the "To review" queue, the verifications the account's review
 * policy holds for a person, oldest first, 10 a page: why each is held, the checks' verdict and
 * signals, and what a reviewer may decide. Personal values and images are hidden here; the page's
 * reveal (a POST, recorded) shows them.
 */
import { requireConsole } from './console-access';
import { consoleHtml, consoleRoute, queryParam } from './console-http';
import { renderReviewQueue } from './render-review';
import { REVIEW_NOTICES, reviewCursor, reviewQueueView } from './review-page';

export const handler = consoleRoute(async (event) => {
  const now = new Date();
  const { session: operator } = await requireConsole(event, 'reviewer', now);
  const done = queryParam(event, 'done');
  const notice = done !== undefined && Object.hasOwn(REVIEW_NOTICES, done) ? REVIEW_NOTICES[done] : undefined;
  const view = await reviewQueueView(operator, { revealed: false, after: reviewCursor(queryParam(event, 'starting_after')), notice }, now);
  return consoleHtml((nonce) => renderReviewQueue(view, nonce));
});
