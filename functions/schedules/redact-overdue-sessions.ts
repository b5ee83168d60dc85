/**
 * The redaction backstop, run on a schedule: DynamoDB's TTL deletes an expired job item
 * "typically within two days", so this redacts every session whose redaction has been due for
 * longer than `VERITY_REDACTION_BACKSTOP_AFTER_SECONDS` (default two days) and is not done.
 */
import { redactSession } from '../redaction';
import { sessionsDueForRedaction } from '../store/sessions';

const DEFAULT_AFTER_SECONDS = 2 * 24 * 60 * 60;

export async function handler(): Promise<{ redacted: number; failed: number }> {
  const after = Number(process.env.VERITY_REDACTION_BACKSTOP_AFTER_SECONDS ?? DEFAULT_AFTER_SECONDS);
  let redacted = 0;
  let failed = 0;
  for await (const session of sessionsDueForRedaction(Math.floor(Date.now() / 1000) - after)) {
    try {
      await redactSession({ account: session.account, mode: session.mode }, session.id);
      redacted++;
    } catch (error) {
      // One session's failure must not stop the others; the next run tries it again.
      failed++;
      console.error(JSON.stringify({ level: 'error', message: 'overdue redaction failed', name: (error as Error).name, detail: (error as Error).message }));
    }
  }
  if (redacted || failed) console.log(JSON.stringify({ level: 'info', message: 'redaction backstop', redacted, failed }));
  return { redacted, failed };
}
