/**
 * The VerificationSession and its state machine. Pure: no I/O, no clock, no randomness;
 * callers pass the id and the time in.
 */
import { invalidParameter, missingParameter, VerityError } from './errors';
import { applyMetadataPatch } from './metadata';
import { firstCredentials, spendAllCredentials } from './session-credentials';
import { FAILURES, type ChecksOutcome, type FailureCode } from './verification-checks';
import { withoutPersonalValues } from './redaction';
import { decidedReport, personOfReport, type VerificationReport } from './verification-report';
import { verifiedOutputs } from './verification-report';
import type { Scope } from './scope';
import type {
  CreateVerificationSessionInput,
  OptionsInput,
  ProvidedDetails,
  ProvidedDetailsInput,
  RelatedPerson,
  SessionOptions,
  SessionStatus,
  UpdateVerificationSessionInput,
  VerificationSession,
} from './verification-session-types';

export * from './verification-session-types';

export function createVerificationSession(
  input: CreateVerificationSessionInput,
  context: { id: string; scope: Scope; now: Date },
): VerificationSession {
  if (input.verification_flow !== undefined) {
    throw invalidParameter(
      'parameter_unknown',
      'Verification flows are not supported by Verity yet. Pass `type` (document or id_number) instead of `verification_flow`.',
      'verification_flow',
    );
  }
  if (input.type === undefined) throw missingParameter('type');
  return {
    id: context.id,
    account: context.scope.account,
    mode: context.scope.mode,
    created: Math.floor(context.now.getTime() / 1000),
    status: 'requires_input',
    type: input.type,
    client_reference_id: input.client_reference_id || null,
    metadata: applyMetadataPatch({}, input.metadata),
    options: applyOptions({}, input.options),
    provided_details: applyProvidedDetails(null, input.provided_details),
    related_customer: input.related_customer || null,
    related_customer_account: input.related_customer_account || null,
    related_person: relatedPerson(input.related_person),
    return_url: input.return_url || null,
    last_error: null,
    last_verification_report: null,
    verified_outputs: null,
    redaction: null,
    credentials: firstCredentials(context.now),
    submission: null,
    redaction_due: null,
  };
}

export function updateVerificationSession(session: VerificationSession, input: UpdateVerificationSessionInput): VerificationSession {
  assertAllowed(session, 'update');
  return {
    ...session,
    type: input.type ?? session.type,
    metadata: applyMetadataPatch(session.metadata, input.metadata),
    options: applyOptions(session.options, input.options),
    provided_details: applyProvidedDetails(session.provided_details, input.provided_details),
  };
}

export function cancelVerificationSession(session: VerificationSession): VerificationSession {
  assertAllowed(session, 'cancel');
  return { ...session, status: 'canceled' };
}

/**
 * Marks the session for redaction. A session still waiting for input is canceled by it, and
 * its personal values are removed at once (its metadata erased, as Stripe's redact response
 * shows, the others `[redacted]`: redaction.ts `withoutPersonalValues`); the redaction job then
 * tidies the copies the session's destroyed key already hides (README *Redaction*).
 */
export function redactVerificationSession(session: VerificationSession, due: Date): VerificationSession {
  assertAllowed(session, 'redact');
  return withoutPersonalValues({
    ...session,
    status: session.status === 'requires_input' ? 'canceled' : session.status,
    metadata: {},
    redaction: { status: 'processing' },
    redaction_due: Math.floor(due.getTime() / 1000),
  });
}

/**
 * The person submits: the session is processed and can no longer be changed until the checks
 * conclude. Both credentials are spent, so a session that comes back to `requires_input` hands
 * out a fresh pair.
 */
export function submitVerificationSession(session: VerificationSession, submissionId: string): VerificationSession {
  assertAllowed(session, 'submit');
  return { ...session, status: 'processing', submission: submissionId, credentials: spendAllCredentials(session.credentials) };
}

/**
 * The checks of the submission being processed have concluded: `verified` with the person's
 * outputs (and any earlier error cleared), or back to `requires_input` with the failure.
 */
export function concludeVerification(
  session: VerificationSession,
  conclusion: { submission: string; report: string; outcome: ChecksOutcome },
): VerificationSession {
  assertAllowed(session, 'conclude');
  if (session.submission !== conclusion.submission) {
    throw new VerityError('unexpected_state', UNEXPECTED_STATE_CODE, 'This submission is no longer the one being processed.');
  }
  const { failure, person } = conclusion.outcome;
  const concluded = { ...session, submission: null, last_verification_report: conclusion.report };
  if (failure) return { ...concluded, status: 'requires_input', last_error: { code: failure.code, reason: failure.reason } };
  if (!person) throw new Error('A verified outcome must name the person it verified.');
  return { ...concluded, status: 'verified', last_error: null, verified_outputs: verifiedOutputs(session, person) };
}

/**
 * A person's decision on a verdict the checks gave (the console's status override, as Stripe's
 * Dashboard has one): `verified` for a session back in `requires_input` after a failed check, or
 * `requires_input` with one of Stripe's `last_error` codes for a `verified` one. `reason` is the
 * operator's written why (1 to 500 characters); `operator` who decided (their console address).
 */
export interface StatusOverride {
  status: 'verified' | 'requires_input';
  code?: string;
  reason: string;
  operator: string;
  /**
   * A blocklist entry's retroactive check (functions/flows/blocklist-check.ts), not a person: the
   * entry (`ible_…`) the report then names as `blocked_by_entry`, and the error's reason, as a
   * verification the entry blocks gets them (functions/checks/checks-runner.ts `withBlocklist`).
   */
  blocked?: { entry: string; reason: string };
}

/** The longest written reason an override keeps. */
export const OVERRIDE_REASON_MAX = 500;

/**
 * The codes a person may give a `verified` session they send back to `requires_input`: the failures
 * of the checks its last report ran (a session-level code such as `consent_declined` is no
 * decision on the person's documents).
 */
export function overrideCodes(report: VerificationReport): FailureCode[] {
  return (Object.keys(FAILURES) as FailureCode[]).filter((code) => {
    const check = FAILURES[code].check;
    return check !== 'session' && report[check] !== undefined;
  });
}

/** A person's written reason, trimmed: 1 to OVERRIDE_REASON_MAX characters, else `parameter_missing` or `…_too_long` (param `reason`). */
export function overrideReason(given: string): string {
  const reason = given.trim();
  if (reason === '') throw missingParameter('reason');
  if (reason.length > OVERRIDE_REASON_MAX) {
    throw invalidParameter('parameter_invalid_string_too_long', `The reason must be at most ${OVERRIDE_REASON_MAX} characters.`, 'reason');
  }
  return reason;
}

/**
 * Applies a person's decision (`StatusOverride`) to the session and its last report, as a verdict
 * does: `verified` with the outputs the report holds and no error, or `requires_input` with the
 * code and Stripe's reason for it. The report is marked as decided by a person. Throws
 * `unexpected_state` for a session redacted, canceled, processing, already in that status, or with
 * no check to overrule; `invalid_request_error` for a missing reason or a code its checks cannot give.
 */
export function overrideVerification(
  session: VerificationSession,
  report: VerificationReport | undefined,
  override: StatusOverride,
  now: Date,
): { session: VerificationSession; report: VerificationReport } {
  assertAllowed(session, 'override');
  if (session.status === override.status) {
    throw new VerityError(
      'unexpected_state',
      UNEXPECTED_STATE_CODE,
      `This VerificationSession already has a status of ${session.status}: there is nothing to override.`,
    );
  }
  if (!report || session.last_verification_report !== report.id) {
    throw new VerityError(
      'unexpected_state',
      UNEXPECTED_STATE_CODE,
      'Only a VerificationSession whose checks have concluded can be overridden: this one has no verification report to decide on.',
    );
  }
  const reason = overrideReason(override.reason);
  const decision = { status: override.status, reason, operator: override.operator, decided: Math.floor(now.getTime() / 1000) };
  if (override.status === 'verified') {
    const failed = session.last_error?.code;
    if (!failed || !(failed in FAILURES) || FAILURES[failed as FailureCode].check === 'session') {
      throw new VerityError(
        'unexpected_state',
        UNEXPECTED_STATE_CODE,
        `This VerificationSession did not fail a check (its last error is ${failed ?? 'none'}): there is no check a person can overrule.`,
      );
    }
    const decided = decidedReport(report, { ...decision, code: null });
    return {
      session: { ...session, status: 'verified', last_error: null, verified_outputs: verifiedOutputs(session, personOfReport(decided)) },
      report: decided,
    };
  }
  const code = override.code;
  if (!code) throw missingParameter('code');
  if (!overrideCodes(report).includes(code as FailureCode)) {
    throw invalidParameter(
      'parameter_invalid_string',
      `Invalid code: must be one of ${overrideCodes(report).join(', ')} (the failures of the checks this session ran).`,
      'code',
    );
  }
  const error = { code, reason: override.blocked?.reason ?? FAILURES[code as FailureCode].reason };
  const decided = decidedReport(report, { ...decision, code });
  if (override.blocked) {
    const check = FAILURES[code as FailureCode].check as 'document' | 'selfie';
    (decided as unknown as Record<string, unknown>)[check] = { ...decided[check]!, error, blocked_by_entry: override.blocked.entry };
  }
  return {
    session: { ...session, status: 'requires_input', last_error: error, verified_outputs: null },
    report: decided,
  };
}

type Action = 'update' | 'cancel' | 'redact' | 'submit' | 'conclude' | 'override';

/** Which statuses each action accepts. Redacting a canceled session is our choice (docs/reference/stripe-silent-behaviour.md). */
const ALLOWED_STATUSES: Record<Action, readonly SessionStatus[]> = {
  update: ['requires_input'],
  cancel: ['requires_input'],
  redact: ['requires_input', 'verified', 'canceled'],
  submit: ['requires_input'],
  conclude: ['processing'],
  override: ['requires_input', 'verified'],
};

const PAST_TENSE: Record<Action, string> = {
  update: 'updated',
  cancel: 'canceled',
  redact: 'redacted',
  submit: 'submitted',
  conclude: 'processed',
  override: 'overridden',
};

export const UNEXPECTED_STATE_CODE = 'verification_session_unexpected_state';

function assertAllowed(session: VerificationSession, action: Action): void {
  if (session.redaction !== null) {
    throw new VerityError(
      'unexpected_state',
      UNEXPECTED_STATE_CODE,
      `You cannot ${action} this VerificationSession because it has been redacted.`,
    );
  }
  const allowed = ALLOWED_STATUSES[action];
  if (!allowed.includes(session.status)) {
    const list = allowed.length === 1 ? `a status of ${allowed[0]}` : `one of the following statuses: ${allowed.join(', ')}`;
    throw new VerityError(
      'unexpected_state',
      UNEXPECTED_STATE_CODE,
      `You cannot ${action} this VerificationSession because it has a status of ${session.status}. ` +
        `Only a VerificationSession with ${list} can be ${PAST_TENSE[action]}.`,
    );
  }
}

/** `options[document]` replaces the whole document options object; `''` removes it. */
function applyOptions(current: SessionOptions, input: OptionsInput | undefined): SessionOptions {
  if (input === undefined) return current;
  if (input === '') return {};
  if (input.document === undefined) return current;
  if (input.document === '') return {};
  return { ...current, document: stripUndefined(input.document) };
}

/** Each detail given replaces that detail; an empty value clears it. */
function applyProvidedDetails(current: ProvidedDetails | null, input: ProvidedDetailsInput | undefined): ProvidedDetails | null {
  if (input === undefined) return current;
  const next: ProvidedDetails = {
    email: input.email === undefined ? (current?.email ?? null) : input.email || null,
    phone: input.phone === undefined ? (current?.phone ?? null) : input.phone || null,
  };
  return next.email === null && next.phone === null ? null : next;
}

function relatedPerson(input: CreateVerificationSessionInput['related_person']): RelatedPerson | null {
  if (input === undefined) return null;
  if (!input.account) throw missingParameter('related_person[account]');
  if (!input.person) throw missingParameter('related_person[person]');
  return { account: input.account, person: input.person };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
