/**
 * The console's audit log: who looked at or acted on what, when, from which request. Append-only:
 * an entry is written once, with a put that never overwrites (`attribute_not_exists`), and nothing
 * in Verity changes or deletes one; DynamoDB's TTL removes it after the retention period
 * (`VERITY_CONSOLE_AUDIT_RETENTION_DAYS`, 365 unless set). It holds ids and the operator's own
 * email (the business's staff, who is accountable for the look), never a verified person's data,
 * so redaction leaves it as it is.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../domain/scope';
import { newObjectId } from '../domain/ids';
import { dynamo } from './client';
import type { ConsoleRole } from './console-sessions';
import { queryPage, type PageQuery } from './list-page';
import { expiresAt, listPartition, objectKey, tableName, tableSchema } from './schema';

export const CONSOLE_AUDIT_KIND = 'console_audit_event';
export const CONSOLE_AUDIT_ID_PREFIX = 'cae';
export const CONSOLE_AUDIT_ACTIONS = [
  'sign_in',
  'sign_out',
  'reveal',
  'image_view',
  'cancel',
  'redact',
  'override',
  'end_console_session',
  'cancel_console_link',
  'blocklist_unverify',
] as const;
export type ConsoleAuditAction = (typeof CONSOLE_AUDIT_ACTIONS)[number];

/** `verity.console_audit_event`: one look at personal data, or one act, in the console. */
export interface ConsoleAuditEvent {
  id: string;
  object: 'verity.console_audit_event';
  /** Epoch seconds. */
  created: number;
  livemode: boolean;
  action: ConsoleAuditAction;
  /**
   * Who: the operator's address, role and console session (`cs_…`); null for a change Verity made
   * itself (`blocklist_unverify`: the entry named by `blocklist_entry` did).
   */
  operator: { email: string; role: ConsoleRole; console_session: string } | null;
  /**
   * Which object: a VerificationSession, VerificationReport or File, or the console session or sign-in link an admin ended, by id; null for
   * sign-in and sign-out.
   */
  target: {
    object: 'identity.verification_session' | 'identity.verification_report' | 'file' | 'verity.console_session' | 'verity.console_link';
    id: string;
  } | null;
  /** The request it was made in (`req_…`, the `Request-Id` the console answered with). */
  request: string;
  /**
   * An `override` only: what the operator decided and why: the status before and after, the
   * `last_error` code they chose (null for `verified`) and their written reason.
   */
  decision?: { from: string; to: string; code: string | null; reason: string };
  /**
   * A `blocklist_unverify` only: the BlocklistEntry (`ible_…`) created with
   * `check_existing_verifications=true` whose match unverified the session (functions/flows/blocklist-check.ts).
   */
  blocklist_entry?: string;
}

/**
 * How long an entry is kept: `VERITY_CONSOLE_AUDIT_RETENTION_DAYS` (1 to 3650), 365 unless set.
 * Any other value fails the request (a 500 whose log names the variable) rather than keep entries
 * for a time nobody chose.
 */
export function auditRetentionDays(): number {
  const setting = process.env.VERITY_CONSOLE_AUDIT_RETENTION_DAYS;
  if (setting === undefined || setting === '') return 365;
  const days = Number(setting);
  if (!Number.isInteger(days) || days < 1 || days > 3650)
    throw new Error(`VERITY_CONSOLE_AUDIT_RETENTION_DAYS must be a whole number of days from 1 to 3650, not "${setting}".`);
  return days;
}

/** Appends one entry; returns it. */
export async function recordConsoleAudit(scope: Scope, entry: AuditEntry, now: Date): Promise<ConsoleAuditEvent> {
  const { event, put } = consoleAuditPut(scope, entry, now);
  await dynamo().send(new PutCommand(put));
  return event;
}

type AuditEntry = Pick<ConsoleAuditEvent, 'action' | 'operator' | 'target' | 'request' | 'decision' | 'blocklist_entry'>;

/** One new entry as a Put (never overwriting), for a transaction that must hold it with the change it records. */
export function consoleAuditPut(scope: Scope, entry: AuditEntry, now: Date) {
  const event: ConsoleAuditEvent = {
    id: newObjectId(CONSOLE_AUDIT_ID_PREFIX, now.getTime()),
    object: 'verity.console_audit_event',
    created: Math.floor(now.getTime() / 1000),
    livemode: scope.mode === 'live',
    ...entry,
  };
  const put = {
    TableName: tableName(),
    Item: {
      ...objectKey(scope, event.id, CONSOLE_AUDIT_KIND),
      id: event.id,
      [tableSchema.indexes.byScope.partitionKey]: listPartition(scope, CONSOLE_AUDIT_KIND),
      [tableSchema.timeToLiveAttribute]: expiresAt(now, auditRetentionDays() * 24 * 60 * 60),
      audit_event: event,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
  return { event, put };
}

/** A page of the scope's entries, newest first (Stripe's list order and cursors). */
export function listConsoleAuditEvents(scope: Scope, page: PageQuery) {
  return queryPage(
    { index: tableSchema.indexes.byScope, partitions: [listPartition(scope, CONSOLE_AUDIT_KIND)], idPrefix: CONSOLE_AUDIT_ID_PREFIX },
    page,
    (item) => item.audit_event as ConsoleAuditEvent,
  );
}
