/**
 * VerificationReports in DynamoDB: written with the change that concludes a submission, then only
 * read, but for a person's decision on it (`reportRewrite`) and redaction.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { VerificationReport } from '../domain/verification-report';
import type { SessionType } from '../domain/verification-session';
import type { Scope } from '../domain/scope';
import type { CreatedRange } from './list-page';
import { dynamo, type StoredItem } from './client';
import { filteredIndexQuery, queryPage } from './list-page';
import { listPartition, objectKey, sessionCopiesPartition, tableName, tableSchema } from './schema';
import { redactedReport } from '../domain/redaction';
import { filterPartition } from './filter-partitions';
import { keyEncryptionKey } from './key-encryption-key';
import { loadSessionKeys, openedAttribute, sealedAttribute, sealedName } from './session-keys';
import type { TransactItem } from './transaction-items';

export const REPORT_KIND = 'verification_report';

/**
 * The report's item. What the checks read (names, dates, numbers, address, email, phone) and the
 * client reference are sealed under the session's key (session-keys.ts): `report` holds the report
 * as redaction would leave it, `report_sealed` what differs from it (`sealedPart`). A redacted report is stored in clear.
 */
export function reportItem(report: VerificationReport): Record<string, unknown> {
  const scope: Scope = { account: report.account, mode: report.mode };
  const { indexes } = tableSchema;
  const byValue = (field: string, value: string | null) => (value === null ? undefined : filterPartition(scope, REPORT_KIND, field, value));
  const key = objectKey(scope, report.id, REPORT_KIND);
  const { redacted: _mark, ...clear } = redactedReport(report);
  return {
    ...key,
    id: report.id,
    [indexes.byScope.partitionKey]: listPartition(scope, REPORT_KIND),
    [indexes.byVerificationSession.partitionKey]: sessionCopiesPartition(scope, REPORT_KIND, report.verification_session),
    [indexes.byClientReferenceId.partitionKey]: report.redacted ? undefined : byValue('client_reference_id', report.client_reference_id),
    [indexes.byType.partitionKey]: byValue('type', report.type),
    ...(report.redacted
      ? { report }
      : sealedAttribute(key, 'report', report, clear as VerificationReport, scope, report.verification_session)),
  };
}

/**
 * The report's item written again (a person's decision on it): only over the report as it is, never
 * a new one, and never over a report its session's redaction has reached (redaction marks the
 * session first, so the session's own condition in the same transaction refuses that too).
 */
export const reportRewrite = (report: VerificationReport): TransactItem => ({
  Put: {
    TableName: tableName(),
    Item: reportItem(report),
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#report.redacted)',
    ExpressionAttributeNames: { '#report': 'report' },
  },
});

/** The report an item holds, opened with its session's key (which must be loaded: `loadReportKeys`). */
export function reportOfItem(item: StoredItem): VerificationReport {
  const clear = item.report as VerificationReport;
  return openedAttribute<VerificationReport>(item, 'report', { account: clear.account, mode: clear.mode }, clear.verification_session);
}

/**
 * Loads the keys of the sessions these report items belong to, read again (`fresh`): a report
 * cannot tell that its session was redacted since (session-keys.ts). Redacted reports need none.
 */
export const loadReportKeys = (items: StoredItem[]) =>
  loadSessionKeys(
    items
      .filter((item) => item[sealedName('report')] !== undefined)
      .map((item) => ({
        scope: { account: item.report.account, mode: item.report.mode } as Scope,
        id: item.report.verification_session as string,
      })),
    { fresh: true },
  );

export async function getReport(scope: Scope, id: string): Promise<VerificationReport | undefined> {
  // Consistent: a report is read right after the conclusion that wrote it (an expanded session).
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: objectKey(scope, id, REPORT_KIND), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  await loadReportKeys([Item]);
  return reportOfItem(Item);
}

export interface ReportListQuery {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
  created?: CreatedRange;
  verificationSession?: string;
  clientReferenceId?: string;
  type?: SessionType;
}

export async function listReports(scope: Scope, query: ReportListQuery) {
  // A reference is looked up by its keyed digest, made with the KEK.
  await keyEncryptionKey();
  // Most selective first: the first filter given picks the index.
  return queryPage(
    filteredIndexQuery(scope, REPORT_KIND, 'vr', [
      { index: 'byVerificationSession', field: 'verification_session', value: query.verificationSession },
      { index: 'byClientReferenceId', field: 'client_reference_id', value: query.clientReferenceId },
      { index: 'byType', field: 'type', value: query.type },
    ]),
    query,
    reportOfItem,
    loadReportKeys,
    // A report of a session marked for redaction still sits in its reference's index until the job rewrites it.
    (report) => query.clientReferenceId === undefined || report.client_reference_id === query.clientReferenceId,
  );
}
