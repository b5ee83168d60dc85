/**
 * The review policy: an account's rules (in one mode) for verdicts that people decide instead of
 * the checks. A verdict the policy holds leaves its session `processing` (Stripe does not document
 * how its own reviewers' time shows; Verity's choice: docs/reference/stripe-silent-behaviour.md)
 * until a reviewer decides it in the console's "To review" queue (docs/console.md).
 *
 * Off unless set: an account without a policy, or with an empty one, has every verdict decided
 * by the checks. Pure: no I/O; the random sample takes its random number from the caller.
 */
import { invalidParameter, missingParameter, VerityError } from './errors';
import { checksOf, FAILURES, type ChecksOutcome, type FailureCode } from './verification-checks';
import type { VerificationSession } from './verification-session-types';

/** A band of scores (0–100): a score `s` with `from ≤ s < to` is uncertain. */
export interface ScoreBand {
  from: number;
  to: number;
}

/** An account's review policy in one mode. Every field is optional; an absent field holds nothing. */
export interface ReviewPolicy {
  /** Hold when the selfie's face similarity to the document (0–100) is in this band. */
  face_similarity?: ScoreBand;
  /** Hold when the liveness check's confidence (0–100) is in this band. */
  liveness_confidence?: ScoreBand;
  /** Hold when the document was read but its machine-readable zone was not. */
  mrz_unreadable?: true;
  /** Hold, instead of failing, a verification that matches an active blocklist entry. */
  blocklist_match?: true;
  /** Hold a verification whose document was verified in another session of the account (same mode). */
  duplicate_document?: true;
  /** Hold a verification whose person could not do the liveness step. */
  liveness_unavailable?: true;
  /** Hold this share (0 < rate ≤ 1) of the verdicts of checks that ran, chosen at random. */
  sample_rate?: number;
}

/**
 * Why a verdict was held, as the console shows it and the queue stores it. The codes are
 * Verity's own (Stripe documents none), stable: docs/console.md#the-review-queue lists them.
 */
export const REVIEW_REASONS = {
  face_similarity_uncertain: 'The face similarity is in the review band.',
  liveness_confidence_uncertain: "The liveness check's confidence is in the review band.",
  mrz_unreadable: 'The document was read, but its machine-readable zone was not.',
  blocklist_match: 'The document or face matches an active blocklist entry.',
  duplicate_document: 'The same document was verified in another session of this account.',
  liveness_unavailable: 'The person could not do the liveness step.',
  random_sample: 'Chosen at random by the sample rate.',
} as const;
export type ReviewReason = keyof typeof REVIEW_REASONS;

const inBand = (band: ScoreBand | undefined, score: number | undefined) =>
  band !== undefined && score !== undefined && score >= band.from && score < band.to;

/**
 * The reasons `policy` holds `outcome` for a person to decide, in REVIEW_REASONS' order; empty
 * when the checks decide it. The entry point every checks provider's verdict goes through
 * (functions/checks/checks-runner.ts), the liveness check's included: it sets
 * `outcome.signals.liveness_confidence` and `liveness_unavailable`. A person who declined
 * (no check ran, no liveness signal) is never held, not even by the sample; a verdict failed by a
 * blocklist entry is held only by `blocklist_match`.
 * @param random a number in [0, 1) for the sample (Math.random unless a test gives one).
 */
export function reviewDecision(
  policy: ReviewPolicy | undefined,
  outcome: ChecksOutcome,
  random: () => number = Math.random,
): ReviewReason[] {
  if (!policy) return [];
  // A blocklist entry's failure is a decision the business made: only `blocklist_match` hands it to a person,
  // never another reason the same verdict also has (a duplicate, the sample).
  if (outcome.blocked_by_entry && !policy.blocklist_match) return [];
  const signals = outcome.signals ?? {};
  const reasons: ReviewReason[] = [];
  if (inBand(policy.face_similarity, signals.face_similarity)) reasons.push('face_similarity_uncertain');
  if (inBand(policy.liveness_confidence, signals.liveness_confidence)) reasons.push('liveness_confidence_uncertain');
  if (policy.mrz_unreadable && signals.mrz_unreadable) reasons.push('mrz_unreadable');
  if (policy.blocklist_match && outcome.blocked_by_entry) reasons.push('blocklist_match');
  if (policy.duplicate_document && outcome.duplicate_of?.length) reasons.push('duplicate_document');
  if (policy.liveness_unavailable && signals.liveness_unavailable) reasons.push('liveness_unavailable');
  if (reasons.length === 0 && policy.sample_rate && outcome.ran.length > 0 && random() < policy.sample_rate) reasons.push('random_sample');
  return reasons;
}

/**
 * A person's decision on a held verdict (the console's status override on a `processing` session
 * in the queue): the outcome the session concludes with. `verified` needs what the checks read of
 * the person and every check of the session run; `requires_input` needs a `code` of a check that
 * ran (Stripe's `last_error.code`). Throws `unexpected_state` or an `invalid_request_error`
 * (param `code`) otherwise.
 */
export function reviewedOutcome(
  session: Pick<VerificationSession, 'type' | 'options'>,
  held: ChecksOutcome,
  decision: { status: 'verified' | 'requires_input'; code?: string },
): ChecksOutcome {
  const { blocked_by_entry, ...rest } = held;
  if (decision.status === 'verified') {
    const checks = checksOf(session);
    if (!held.person || !checks.every((check) => held.ran.includes(check))) {
      throw new VerityError(
        'unexpected_state',
        'verification_session_unexpected_state',
        'The checks did not read every part of this verification, so a person cannot mark it verified. Mark it not verified instead.',
      );
    }
    // Decided verified: no blocklist entry stands in its way any more.
    return { ...rest, ran: checks, failure: null };
  }
  const codes = reviewCodes(held);
  if (!decision.code) throw missingParameter('code');
  if (!codes.includes(decision.code as FailureCode)) {
    throw invalidParameter(
      'parameter_invalid_string',
      `Invalid code: must be one of ${codes.join(', ')} (the failures of the checks this session ran).`,
      'code',
    );
  }
  const code = decision.code as FailureCode;
  return { ...held, failure: { code, reason: FAILURES[code].reason } };
}

/** The `last_error` codes a person may give a held verdict: the failures of the checks that ran. */
export const reviewCodes = (held: Pick<ChecksOutcome, 'ran'>): FailureCode[] =>
  (Object.keys(FAILURES) as FailureCode[]).filter((code) => (held.ran as string[]).includes(FAILURES[code].check));

/**
 * A change to a policy, as typed on the command line (`npm run keys -- review-policy`): a string
 * sets the field, `null` removes it, a missing field is left as it is. Bands are `FROM-TO`
 * (0–100, FROM < TO), flags `on` or `off`, the rate a number in (0, 1].
 */
export type ReviewPolicyUpdate = { [Field in keyof ReviewPolicy]?: string | null };

export const REVIEW_POLICY_FIELDS = [
  'face_similarity',
  'liveness_confidence',
  'mrz_unreadable',
  'blocklist_match',
  'duplicate_document',
  'liveness_unavailable',
  'sample_rate',
] as const satisfies readonly (keyof ReviewPolicy)[];

function readBand(value: string, param: string): ScoreBand {
  const match = /^\s*(\d{1,3}(?:\.\d+)?)\s*-\s*(\d{1,3}(?:\.\d+)?)\s*$/.exec(value);
  const [from, to] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(from >= 0 && to <= 100 && from < to)) {
    throw invalidParameter(
      'parameter_invalid',
      `Invalid ${param}: it must be FROM-TO, two scores from 0 to 100 with FROM < TO (such as 80-90).`,
      param,
    );
  }
  return { from, to };
}

function readFlag(value: string, param: string): true | undefined {
  const flag = value.trim().toLowerCase();
  if (flag === 'on') return true;
  if (flag === 'off') return undefined;
  throw invalidParameter('parameter_invalid', `Invalid ${param}: it must be on or off.`, param);
}

function readRate(value: string): number {
  const rate = /^\s*(?:0|1)?(?:\.\d+)?\s*$/.test(value) && value.trim() !== '' ? Number(value) : NaN;
  if (!(rate > 0 && rate <= 1)) {
    throw invalidParameter(
      'parameter_invalid',
      'Invalid sample_rate: it must be a number above 0 and at most 1 (such as 0.05).',
      'sample_rate',
    );
  }
  return rate;
}

/**
 * The policy after an update, every given field checked. Throws the first field's
 * `parameter_invalid` (param named after the field). A flag set `off` is removed, as is a field given `null`.
 */
export function updatedReviewPolicy(current: ReviewPolicy, update: ReviewPolicyUpdate): ReviewPolicy {
  const next: Record<string, unknown> = { ...current };
  for (const field of REVIEW_POLICY_FIELDS) {
    const value = update[field];
    if (value === undefined) continue;
    const read =
      value === null
        ? undefined
        : field === 'face_similarity' || field === 'liveness_confidence'
          ? readBand(value, field)
          : field === 'sample_rate'
            ? readRate(value)
            : readFlag(value, field);
    if (read === undefined) delete next[field];
    else next[field] = read;
  }
  return next as ReviewPolicy;
}

/** The policy as one line a field (the keys command and the console show it); empty for none. */
export function describeReviewPolicy(policy: ReviewPolicy | undefined): string[] {
  if (!policy) return [];
  return REVIEW_POLICY_FIELDS.flatMap((field) => {
    const value = policy[field];
    if (value === undefined) return [];
    const text = typeof value === 'object' ? `${value.from}-${value.to}` : value === true ? 'on' : String(value);
    return [`${field} ${text}`];
  });
}
