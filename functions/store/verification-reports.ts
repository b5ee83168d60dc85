/** VerificationReports in DynamoDB: written with the change that concludes a submission, then only read. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { VerificationReport } from '../domain/verification-report';
import type { Scope, SessionType } from '../domain/verification-session';
import type { CreatedRange } from '../wire/lists';
import { dynamo } from './client';
import { filteredIndexQuery, queryPage } from './list-page';
import { listPartition, objectKey, sessionCopiesPartition, tableName, tableSchema } from './schema';

export const REPORT_KIND = 'verification_report';

export function reportItem(report: VerificationReport): Record<string, unknown> {
  const scope: Scope = { account: report.account, mode: report.mode };
  const { indexes } = tableSchema;
  const byValue = (field: string, value: string | null) => (value === null ? undefined : listPartition(scope, REPORT_KIND, { field, value }));
  return {
    ...objectKey(scope, report.id, REPORT_KIND),
    id: report.id,
    [indexes.byScope.partitionKey]: listPartition(scope, REPORT_KIND),
    [indexes.byVerificationSession.partitionKey]: sessionCopiesPartition(scope, REPORT_KIND, report.verification_session),
    [indexes.byClientReferenceId.partitionKey]: report.redacted ? undefined : byValue('client_reference_id', report.client_reference_id),
    [indexes.byType.partitionKey]: byValue('type', report.type),
    report,
  };
}

export async function getReport(scope: Scope, id: string): Promise<VerificationReport | undefined> {
  // Consistent: a report is read right after the conclusion that wrote it (an expanded session).
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: objectKey(scope, id, REPORT_KIND), ConsistentRead: true }));
  return Item?.report as VerificationReport | undefined;
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

export function listReports(scope: Scope, query: ReportListQuery) {
  // Most selective first: the first filter given picks the index.
  return queryPage(
    filteredIndexQuery(scope, REPORT_KIND, 'vr', [
      { index: 'byVerificationSession', field: 'verification_session', value: query.verificationSession },
      { index: 'byClientReferenceId', field: 'client_reference_id', value: query.clientReferenceId },
      { index: 'byType', field: 'type', value: query.type },
    ]),
    query,
    (item) => item.report as VerificationReport,
  );
}
