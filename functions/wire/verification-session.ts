/** The VerificationSession as Stripe's API shows it. */
import type { VerificationSession } from '../domain/verification-session';
import type { VerificationReport } from '../domain/verification-report';
import { sessionSecrets } from './session-secrets';
import { renderVerificationReport } from './verification-report';

/** Fields hidden unless asked for with `expand[]`, and the nested ones that need their own path. */
const VERIFIED_OUTPUT_INCLUDABLES = ['dob', 'id_number', 'sex', 'unparsed_place_of_birth', 'unparsed_sex'] as const;

/** The includable fields of `verified_outputs`: sensitive verification results, each expanded by its own path. */
export const SENSITIVE_VERIFIED_OUTPUTS = VERIFIED_OUTPUT_INCLUDABLES.map((field) => `verified_outputs.${field}`);

export const VERIFICATION_SESSION_EXPANDABLE = [
  'provided_details',
  'verified_outputs',
  ...SENSITIVE_VERIFIED_OUTPUTS,
  'last_verification_report',
] as const;

export interface RelatedObjects {
  /** The session's newest report, fetched when `last_verification_report` is expanded. */
  lastVerificationReport?: VerificationReport | null;
}

export function renderVerificationSession(session: VerificationSession, expand: ReadonlySet<string>, related: RelatedObjects = {}) {
  const { client_secret, url } = sessionSecrets(session);
  return {
    id: session.id,
    object: 'identity.verification_session' as const,
    client_reference_id: session.client_reference_id,
    client_secret,
    created: session.created,
    last_error: session.last_error,
    last_verification_report:
      expand.has('last_verification_report') && related.lastVerificationReport
        ? renderVerificationReport(related.lastVerificationReport, new Set())
        : session.last_verification_report,
    livemode: session.mode === 'live',
    metadata: session.metadata,
    options: session.options,
    ...(expand.has('provided_details') ? { provided_details: session.provided_details } : {}),
    redaction: session.redaction,
    related_customer: session.related_customer,
    related_customer_account: session.related_customer_account,
    related_person: session.related_person,
    status: session.status,
    type: session.type,
    url,
    ...(expand.has('verified_outputs') ? { verified_outputs: renderVerifiedOutputs(session, expand) } : {}),
  };
}

function renderVerifiedOutputs(session: VerificationSession, expand: ReadonlySet<string>) {
  if (session.verified_outputs === null) return null;
  const outputs = { ...session.verified_outputs };
  for (const field of VERIFIED_OUTPUT_INCLUDABLES) {
    if (!expand.has(`verified_outputs.${field}`)) delete outputs[field];
  }
  return outputs;
}
