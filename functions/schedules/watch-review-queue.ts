/**
 * The review watch, run every five minutes: counts the verdicts held for review (every account,
 * functions/store/review-queue.ts) that have waited longer than `VERITY_REVIEW_ALARM_AFTER_MINUTES`
 * (default 1440, a day; 1 to 43200), and logs it as the CloudWatch metric
 * `Verity/Review` `ReviewsOverdue` (embedded metric format, with `OldestReviewWaitSeconds`): the
 * stack's alarm fires on one or more (lib/verity.ts). A run reads at most `READ_LIMIT` watch items
 * (oldest first), deleting those of verdicts decided since. No personal data is read or logged.
 */
import { overdueReviews } from '../store/review-queue';

export const REVIEW_ALARM_AFTER_ENV = 'VERITY_REVIEW_ALARM_AFTER_MINUTES';
export const DEFAULT_REVIEW_ALARM_AFTER_MINUTES = 24 * 60;
/** Watch items one run reads at most: the count saturates there, which is far past one to alarm on. */
const READ_LIMIT = 100;

/** Minutes a held verdict may wait before it counts as overdue, from the environment (whole minutes, 1 to 30 days). */
export function reviewAlarmAfterMinutes(): number {
  const value = Number(process.env[REVIEW_ALARM_AFTER_ENV]);
  return Number.isInteger(value) && value >= 1 && value <= 30 * 24 * 60 ? value : DEFAULT_REVIEW_ALARM_AFTER_MINUTES;
}

export interface ReviewWatch {
  /** Held verdicts waiting longer than the setting (at most READ_LIMIT). */
  overdue: number;
  /** How long the oldest of those has waited, in seconds; 0 for none. */
  oldestWaitSeconds: number;
}

/** One run: the overdue count, logged as metrics. */
export async function watchReviewQueue(now = new Date()): Promise<ReviewWatch> {
  const seconds = Math.floor(now.getTime() / 1000);
  const { overdue, oldest } = await overdueReviews(seconds - reviewAlarmAfterMinutes() * 60, READ_LIMIT);
  const result = { overdue, oldestWaitSeconds: oldest === undefined ? 0 : seconds - oldest };
  // CloudWatch embedded metric format: the stack's alarm watches ReviewsOverdue. Under npm start, only a count worth saying.
  if (overdue > 0 || process.env.AWS_LAMBDA_FUNCTION_NAME) logMetrics(now, result);
  return result;
}

function logMetrics(now: Date, result: ReviewWatch): void {
  console.log(
    JSON.stringify({
      _aws: {
        Timestamp: now.getTime(),
        CloudWatchMetrics: [
          {
            Namespace: 'Verity/Review',
            Dimensions: [[]],
            Metrics: [
              { Name: 'ReviewsOverdue', Unit: 'Count' },
              { Name: 'OldestReviewWaitSeconds', Unit: 'Seconds' },
            ],
          },
        ],
      },
      ReviewsOverdue: result.overdue,
      OldestReviewWaitSeconds: result.oldestWaitSeconds,
      level: result.overdue > 0 ? 'warn' : 'info',
      message: 'review queue watched',
    }),
  );
}

export const handler = async (): Promise<ReviewWatch> => watchReviewQueue();
