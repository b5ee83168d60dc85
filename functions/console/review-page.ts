/**
 * What the console's "To review" page reads (functions/console/list-console-reviews.ts, and
 * reveal-console-reviews.ts for its revealed form): a page of the account's review queue, oldest
 * first, each held verdict with its session, and what a reviewer may decide on it.
 */
import { isObjectId } from '../domain/ids';
import { reviewCodes, reviewedOutcome } from '../domain/review-policy';
import { listHeldReviews } from '../store/review-queue';
import { getSession } from '../store/sessions';
import type { ConsoleSession } from '../store/console-sessions';
import { ConsoleRefusal, csrfToken, imageLink } from './console-access';
import type { ReviewItemView, ReviewQueueView } from './render-review';

/** Held verdicts a page shows: each is one GetItem of its session, and at most this many reveals recorded at once. */
const PAGE_SIZE = 10;

/** What the page says after a decision redirected to it (`?done=`). */
export const REVIEW_NOTICES: Record<string, string> = {
  decided: 'Decided: the event and its webhooks are on their way, and the audit log records your decision.',
};

/** A cursor (`starting_after`) as the page takes it: a submission id, or a refusal. */
export function reviewCursor(value: string | undefined): string | undefined {
  if (value !== undefined && !isObjectId('vsub', value))
    throw new ConsoleRefusal(400, 'This page does not exist', 'That page does not exist.');
  return value;
}

export async function reviewQueueView(
  operator: ConsoleSession,
  options: { revealed: boolean; after?: string; notice?: string },
  now: Date,
): Promise<ReviewQueueView> {
  const { scope } = operator;
  const { data, hasMore } = await listHeldReviews(scope, { limit: PAGE_SIZE, startingAfter: options.after });
  const sessions = await Promise.all(data.map((review) => getSession(scope, review.session)));
  const items: ReviewItemView[] = data.flatMap((review, i) => {
    const session = sessions[i]?.session;
    // Only a verdict its session still waits for (a test helper may have concluded it meanwhile).
    if (session?.status !== 'processing' || session.submission !== review.submission) return [];
    let canVerify = true;
    try {
      reviewedOutcome(session, review.outcome, { status: 'verified' });
    } catch {
      canVerify = false;
    }
    return [{ review, type: session.type, canVerify, codes: reviewCodes(review.outcome) }];
  });
  const images: Record<string, string> = {};
  if (options.revealed) {
    for (const { review } of items) {
      for (const id of Object.values(review.files)) if (id) images[id] = imageLink(operator, id, now);
    }
  }
  return {
    operator: { session: operator, csrf: csrfToken(operator) },
    items,
    revealed: options.revealed,
    images,
    now,
    ...(options.after ? { after: options.after } : {}),
    ...(hasMore && data.length ? { next: data[data.length - 1]!.submission } : {}),
    ...(options.notice ? { notice: options.notice } : {}),
  };
}
