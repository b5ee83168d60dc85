/**
 * Redaction jobs: one item per session whose redaction is due, carrying nothing but the session's
 * key. DynamoDB's TTL deletes it when it falls due, and that deletion, read from the table's
 * stream, starts the redaction worker. Written in the same transaction as the change that plans
 * the redaction (a redact call, or a session reaching the retention policy's end).
 */
import type { Scope } from '../domain/verification-session';
import { objectKey, tableName, tableSchema } from './schema';

export const REDACTION_JOB_KIND = 'redaction_job';

export const redactionJobKey = (scope: Scope, sessionId: string) => objectKey(scope, sessionId, REDACTION_JOB_KIND);

/** Replaces any job planned before: a redact call brings a retention job forward. */
export function redactionJobWrite(scope: Scope, sessionId: string, due: number) {
  return {
    Put: {
      TableName: tableName(),
      Item: { ...redactionJobKey(scope, sessionId), scope, session: sessionId, [tableSchema.timeToLiveAttribute]: due },
    },
  };
}

/** The session a (deleted) job item names, if the item is a job. */
export function jobOfItem(item: Record<string, any>): { scope: Scope; session: string } | undefined {
  return item.sk === REDACTION_JOB_KIND ? { scope: item.scope as Scope, session: item.session as string } : undefined;
}
