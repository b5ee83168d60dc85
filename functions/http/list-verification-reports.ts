import { SESSION_TYPES } from '../domain/verification-session';
import { listReports } from '../store/verification-reports';
import { resolveExpand } from '../wire/expand';
import { checkCursors, listEnvelope, pageParams, pageQuery } from '../wire/lists';
import { oneOf, requiredString } from '../wire/schema';
import { renderVerificationReport, VERIFICATION_REPORT_EXPANDABLE } from '../wire/verification-report';
import { stripeEndpoint } from './endpoint';
import { expandsSensitive } from './key-access';

const LIST_URL = '/v1/identity/verification_reports';

export const handler = stripeEndpoint(
  {
    ...pageParams(),
    verification_session: requiredString({ maxLength: 5000 }),
    client_reference_id: requiredString({ maxLength: 5000 }),
    type: oneOf(SESSION_TYPES),
  },
  async ({ params, scope, access }) => {
    checkCursors(params, 'vr', 'verification_report');
    const expand = resolveExpand(params.expand, VERIFICATION_REPORT_EXPANDABLE, { list: true });
    const { data, hasMore } = await listReports(scope, {
      ...pageQuery(params),
      verificationSession: params.verification_session,
      clientReferenceId: params.client_reference_id,
      type: params.type,
    });
    // One report processed too long ago refuses the page: a list never shows less than it was asked for without saying so.
    const sensitive = expandsSensitive(expand);
    if (sensitive) for (const report of data) access.sensitiveResults(`data.${sensitive}`, report.created);
    return listEnvelope(
      LIST_URL,
      data.map((report) => renderVerificationReport(report, expand)),
      hasMore,
    );
  },
);
