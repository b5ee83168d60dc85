/**
 * The redaction backstop, run on a schedule: DynamoDB's TTL deletes an expired job item
 * "typically within two days", so this redacts the sessions whose redaction has been due for
 * longer than `VERITY_REDACTION_BACKSTOP_AFTER_SECONDS` (default two days) and is not done.
 *
 * Each run is bounded and fair, so no tenant's backlog holds up another's:
 * - it reads at most `SESSIONS_READ` overdue sessions (oldest due first) and takes them account
 *   by account in turn (round robin): an account with thousands waiting gets one session in
 *   before another account's second;
 * - each session gets one bounded run (the worker's budget of copies, functions/flows/redaction.ts); one that
 *   needs more saves its progress, and the stream hands the rest to the redaction worker;
 * - at most `CONCURRENCY` sessions at once, at most `VERITY_REDACTION_BACKSTOP_SESSIONS_PER_RUN`
 *   (default 1000) per run, and none started once less than `RESERVE_MS` of the run is left;
 *   the next run, six hours later, takes what is left;
 * - a session whose redaction saved progress within `ACTIVE_SECONDS` is left to the run that
 *   did (its continuation is under way).
 */
import type { Context } from 'aws-lambda';
import type { VerificationSession } from '../domain/verification-session';
import { redactionBudget, redactSession } from '../flows/redaction';
import { sessionsDueForRedaction } from '../store/sessions';

const DEFAULT_AFTER_SECONDS = 2 * 24 * 60 * 60;
const DEFAULT_SESSIONS_PER_RUN = 1000;
/** How many overdue sessions one run reads at most, to share its work out fairly. */
const SESSIONS_READ = 5000;
const CONCURRENCY = 4;
/** The backstop's function runs for up to 15 minutes; a session's run ends well within this reserve. */
const RESERVE_MS = 2 * 60_000;
/** Worker runs save progress every few minutes at most (5-minute timeout); older progress is a stalled chain. */
const ACTIVE_SECONDS = 15 * 60;

export interface BackstopResult {
  redacted: number;
  /** Sessions given one bounded run whose redaction continues in the worker. */
  continued: number;
  failed: number;
  /** Overdue sessions read but not started this run (budget or time): the next run's. */
  left: number;
}

export async function handler(_event?: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<BackstopResult> {
  const after = Number(process.env.VERITY_REDACTION_BACKSTOP_AFTER_SECONDS ?? DEFAULT_AFTER_SECONDS);
  const perRun = Number(process.env.VERITY_REDACTION_BACKSTOP_SESSIONS_PER_RUN ?? DEFAULT_SESSIONS_PER_RUN);
  const deadline = context ? Date.now() + context.getRemainingTimeInMillis() - RESERVE_MS : Number.POSITIVE_INFINITY;
  const now = Math.floor(Date.now() / 1000);

  const overdue: VerificationSession[] = [];
  for await (const session of sessionsDueForRedaction(now - after)) {
    overdue.push(session);
    if (overdue.length === SESSIONS_READ) break;
  }
  const queue = roundRobinByAccount(overdue).slice(0, perRun > 0 ? perRun : DEFAULT_SESSIONS_PER_RUN);
  const counts = { redacted: 0, continued: 0, failed: 0, left: overdue.length - queue.length };

  const runner = async () => {
    for (let session = queue.shift(); session; session = queue.shift()) {
      if (Date.now() >= deadline) {
        counts.left += 1 + queue.length;
        queue.length = 0;
        return;
      }
      try {
        const result = await redactSession({ account: session.account, mode: session.mode }, session.id, {
          budget: redactionBudget(deadline),
          activeSince: now - ACTIVE_SECONDS,
        });
        if (result === 'redacted' || result === 'continued') counts[result]++;
      } catch (error) {
        // One session's failure must not stop the others; the next run tries it again.
        counts.failed++;
        console.error(
          JSON.stringify({
            level: 'error',
            message: 'overdue redaction failed',
            name: (error as Error).name,
            detail: (error as Error).message,
          }),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, runner));
  if (counts.redacted || counts.continued || counts.failed || counts.left)
    console.log(JSON.stringify({ level: 'info', message: 'redaction backstop', ...counts }));
  return counts;
}

/**
 * The sessions in turns: each account's oldest, then each account's second, and so on; accounts
 * in the order their oldest session fell due.
 */
export function roundRobinByAccount(sessions: VerificationSession[]): VerificationSession[] {
  const byAccount = new Map<string, VerificationSession[]>();
  for (const session of sessions) {
    const own = byAccount.get(session.account);
    if (own) own.push(session);
    else byAccount.set(session.account, [session]);
  }
  const lists = [...byAccount.values()];
  const turns: VerificationSession[] = [];
  for (let turn = 0; turns.length < sessions.length; turn++) {
    for (const list of lists) if (turn < list.length) turns.push(list[turn]!);
  }
  return turns;
}
