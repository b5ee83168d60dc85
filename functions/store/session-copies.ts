/**
 * Every item that holds a copy of a session's data, found through the `by_verification_session`
 * index: reports, events, files and saved idempotent responses. Redaction rewrites or removes
 * them, a page at a time.
 */
import type { Scope } from '../domain/scope';
import { pageOfPartition, type PartitionCursor } from './partition';
import { sessionCopiesPartition, tableSchema } from './schema';

/**
 * One page of the session's copies of one kind, in id order: at most `limit` items after
 * `after` (where the last page stopped), and where the next page starts (none at the end).
 */
export const pageOfCopies = (scope: Scope, kind: string, sessionId: string, page: { limit: number; after?: PartitionCursor }) =>
  pageOfPartition(tableSchema.indexes.byVerificationSession, sessionCopiesPartition(scope, kind, sessionId), page);
