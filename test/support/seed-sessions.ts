import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createVerificationSession } from '../../functions/domain/verification-session';
import type { Scope } from '../../functions/domain/scope';
import { dynamo } from '../../functions/store/client';
import { tableName } from '../../functions/store/schema';
import { sessionItem } from '../../functions/store/sessions';
import { keyEncryptionKey } from '../../functions/store/key-encryption-key';
import { keyTableName } from '../../functions/store/key-schema';
import { newSessionKeyItem } from '../../functions/store/session-keys';
import { newObjectId } from '../../functions/domain/ids';

/**
 * `count` sessions of `scope` written straight to the table, 25 per call (far faster than one
 * create each), 1.5 s apart from 2026-01-01 in creation order; each as `input(i)` gives it.
 */
export async function seedSessions(scope: Scope, count: number, input: (i: number) => Parameters<typeof createVerificationSession>[0]) {
  const sessions = Array.from({ length: count }, (_, i) => {
    const now = new Date(Date.UTC(2026, 0, 1) + i * 1500);
    return createVerificationSession(input(i), { id: newObjectId('vs', now.getTime()), scope, now });
  });
  await keyEncryptionKey();
  for (let i = 0; i < count; i += 25) {
    const batch = sessions.slice(i, i + 25);
    // Each with its key, as a create writes them.
    const keys = batch.map((session) => ({ PutRequest: { Item: newSessionKeyItem(scope, session.id) } }));
    const requests = batch.map((session) => ({ PutRequest: { Item: sessionItem(session, 1) } }));
    await dynamo().send(new BatchWriteCommand({ RequestItems: { [keyTableName()]: keys } }));
    await dynamo().send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests } }));
  }
  return sessions;
}
