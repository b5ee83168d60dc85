import { resourceMissing } from '../domain/errors';
import { getReport } from '../store/verification-reports';
import { expandParam, resolveExpand } from '../wire/expand';
import { isObjectId } from '../domain/ids';
import { renderVerificationReport, VERIFICATION_REPORT_EXPANDABLE } from '../wire/verification-report';
import { stripeEndpoint } from './endpoint';
import { expandsSensitive } from './key-access';

export const handler = stripeEndpoint({ expand: expandParam() }, async ({ params, scope, pathId, access }) => {
  const id = pathId ?? '';
  const expand = resolveExpand(params.expand, VERIFICATION_REPORT_EXPANDABLE);
  const report = isObjectId('vr', id) ? await getReport(scope, id) : undefined;
  if (!report) throw resourceMissing('verification_report', id);
  // A report is made when its verification is processed: its `created` is that time.
  const sensitive = expandsSensitive(expand);
  if (sensitive) access.sensitiveResults(sensitive, report.created);
  return renderVerificationReport(report, expand);
});
