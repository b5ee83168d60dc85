import { resourceMissing } from '../domain/errors';
import { getReport } from '../store/verification-reports';
import { expandParam, resolveExpand } from '../wire/expand';
import { isObjectId } from '../wire/ids';
import { renderVerificationReport, VERIFICATION_REPORT_EXPANDABLE } from '../wire/verification-report';
import { stripeEndpoint } from './endpoint';

export const handler = stripeEndpoint({ expand: expandParam() }, async ({ params, scope, pathId }) => {
  const id = pathId ?? '';
  const expand = resolveExpand(params.expand, VERIFICATION_REPORT_EXPANDABLE);
  const report = isObjectId('vr', id) ? await getReport(scope, id) : undefined;
  if (!report) throw resourceMissing('verification_report', id);
  return renderVerificationReport(report, expand);
});
