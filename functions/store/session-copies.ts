/**
 * Every item that holds a copy of a session's data, found through the `by_verification_session`
 * index: reports, events, files and saved idempotent responses. Redaction rewrites or removes them.
 */
import type { Scope } from '../domain/verification-session';
import { itemsOfPartition } from './partition';
import { sessionCopiesPartition, tableSchema } from './schema';

export const copiesOfSession = (scope: Scope, kind: string, sessionId: string) =>
  itemsOfPartition(tableSchema.indexes.byVerificationSession, sessionCopiesPartition(scope, kind, sessionId));
