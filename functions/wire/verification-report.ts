/** The VerificationReport as Stripe's API shows it. */
import type { VerificationReport } from '../domain/verification-report';

/** Sensitive fields hidden unless asked for with `expand[]`, as on Stripe. */
const INCLUDABLES = {
  document: ['dob', 'expiration_date', 'number', 'sex', 'unparsed_place_of_birth', 'unparsed_sex'],
  id_number: ['dob', 'id_number'],
} as const;

export const VERIFICATION_REPORT_EXPANDABLE = Object.entries(INCLUDABLES).flatMap(([section, fields]) =>
  fields.map((field) => `${section}.${field}`),
);

export function renderVerificationReport(report: VerificationReport, expand: ReadonlySet<string>) {
  const hide = <S extends object>(name: keyof typeof INCLUDABLES, section: S | undefined): S | undefined => {
    if (!section) return undefined;
    const shown: Record<string, unknown> = { ...(section as Record<string, unknown>) };
    for (const field of INCLUDABLES[name]) if (!expand.has(`${name}.${field}`)) delete shown[field];
    return shown as S;
  };
  return {
    id: report.id,
    object: 'identity.verification_report' as const,
    client_reference_id: report.client_reference_id,
    created: report.created,
    livemode: report.mode === 'live',
    options: report.options,
    type: report.type,
    verification_flow: null,
    verification_session: report.verification_session,
    ...(report.document ? { document: hide('document', report.document) } : {}),
    ...(report.id_number ? { id_number: hide('id_number', report.id_number) } : {}),
    ...(report.selfie ? { selfie: stripeSelfie(report.selfie) } : {}),
    ...(report.email ? { email: report.email } : {}),
    ...(report.phone ? { phone: report.phone } : {}),
  };
}

/** The selfie section as Stripe shows it: without Verity's own `liveness_reference` (the console's caption reads it). */
function stripeSelfie(section: NonNullable<VerificationReport['selfie']>) {
  const { liveness_reference: _reference, ...shown } = section;
  return shown;
}
