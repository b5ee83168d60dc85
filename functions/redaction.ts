/**
 * The redaction job: forgets a session's personal data everywhere Verity keeps a copy, then marks
 * it redacted and emits `identity.verification_session.redacted`. Run by the redaction worker
 * when DynamoDB's TTL deletes the session's job item, and by the backstop for jobs TTL is late
 * with. Every step can run again: a redelivered or repeated job finishes what was left.
 */
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { redactedEventCopy, redactedReport, redactedSession } from './domain/redaction';
import { redactVerificationSession, type Scope } from './domain/verification-session';
import { changeWithEvents } from './outbox';
import { dynamo, isConditionalCheckFailure } from './store/client';
import { EVENT_KIND } from './store/event-items';
import { IDEMPOTENCY_KIND } from './store/idempotency';
import { redactionJobKey } from './store/redaction-jobs';
import { tableName } from './store/schema';
import { copiesOfSession } from './store/session-copies';
import { changeSession, getSession } from './store/sessions';
import { FILE_KIND } from './store/submissions';
import { deleteItem } from './store/transaction-items';
import { REPORT_KIND, reportItem } from './store/verification-reports';

export type RedactionResult = 'redacted' | 'already_redacted' | 'missing';

export async function redactSession(scope: Scope, sessionId: string): Promise<RedactionResult> {
  const stored = await getSession(scope, sessionId);
  if (!stored) return 'missing';
  if (stored.session.redaction?.status === 'redacted') return 'already_redacted';
  // A job planned by the retention policy: the session is marked for redaction first, as a redact call would.
  if (stored.session.redaction === null) {
    await changeSession(
      scope,
      sessionId,
      (current, now) => (current.redaction ? null : changeWithEvents(current, redactVerificationSession(current, now), { request: null, now })),
      undefined,
      stored,
    );
  }

  for await (const item of copiesOfSession(scope, REPORT_KIND, sessionId)) {
    await put(reportItem(redactedReport(item.report)));
  }
  for await (const item of copiesOfSession(scope, EVENT_KIND, sessionId)) {
    await put({ ...item, event: redactedEventCopy(item.event) });
  }
  // Images and saved responses are not kept in any form.
  for (const kind of [FILE_KIND, IDEMPOTENCY_KIND]) {
    const keys: Record<string, unknown>[] = [];
    for await (const item of copiesOfSession(scope, kind, sessionId)) keys.push({ pk: item.pk, sk: item.sk });
    await deleteAll(keys);
  }

  await changeSession(scope, sessionId, (current, now) => {
    if (current.redaction?.status === 'redacted') return null;
    const change = changeWithEvents(current, redactedSession(current), { request: null, now });
    // Done: the job item goes too, if TTL has not removed it (the backstop ran first).
    return { ...change, items: [...(change.items ?? []), deleteItem(redactionJobKey(scope, sessionId))] };
  });
  return 'redacted';
}

/**
 * Rewrites an item only if it still exists: one that TTL removed since the index listed it stays
 * gone (recreating an event would publish it again).
 */
async function put(Item: Record<string, unknown>): Promise<void> {
  try {
    await dynamo().send(new PutCommand({ TableName: tableName(), Item, ConditionExpression: 'attribute_exists(pk)' }));
  } catch (error) {
    if (!isConditionalCheckFailure(error)) throw error;
  }
}

async function deleteAll(keys: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 25) {
    let requests = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; requests.length; attempt++) {
      if (attempt > 0) await new Promise((done) => setTimeout(done, 50 * 2 ** attempt));
      if (attempt === 6) throw new Error('DynamoDB kept refusing to delete part of a batch');
      const result = await dynamo().send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests } }));
      requests = (result.UnprocessedItems?.[tableName()] ?? []) as typeof requests;
    }
  }
}
