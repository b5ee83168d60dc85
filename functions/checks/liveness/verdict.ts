/**
 * What a Face Liveness result means for the selfie check, in Stripe's words:
 * - SUCCEEDED with `Confidence` below the threshold: `selfie_manipulated` (Stripe's code for a
 *   selfie that is not a live capture of a person);
 * - EXPIRED, FAILED, not finished (CREATED, IN_PROGRESS), or SUCCEEDED without a reference image:
 *   `selfie_unverified_other` with a reason (LIVENESS_REASONS);
 * - otherwise the reference image, which becomes the selfie matched to the document, and the audit images.
 * Stripe's selfie codes: https://docs.stripe.com/identity/verification-checks?type=selfie
 */
import { failureOf, LIVENESS_REASONS, type FailureCode } from '../../domain/verification-checks';
import type { VerificationSession } from '../../domain/verification-session';
import type { LivenessImage, LivenessResult } from './port';

type Failure = { code: FailureCode; reason: string };

export function livenessVerdict(
  result: LivenessResult,
  threshold: number,
): { failure: Failure } | { reference: LivenessImage; audits: LivenessImage[] } {
  const other = (reason: string) => ({ failure: { code: 'selfie_unverified_other' as const, reason } });
  switch (result.status) {
    case 'EXPIRED':
      return other(LIVENESS_REASONS.expired);
    case 'FAILED':
      return other(LIVENESS_REASONS.failed);
    case 'CREATED':
    case 'IN_PROGRESS':
      return other(LIVENESS_REASONS.notFinished);
    case 'SUCCEEDED':
      break;
  }
  // No score reads as no proof of presence, never as a pass.
  if (result.confidence === null || result.confidence < threshold) return { failure: failureOf('selfie_manipulated') };
  if (!result.reference) return other(LIVENESS_REASONS.noReference);
  return { reference: result.reference, audits: result.audits };
}

/**
 * What becomes of a session whose person said they cannot do the liveness step (no camera, a
 * disability, a failing device): `requires_input` with `selfie_unverified_other` and the reason,
 * unless the account's review policy holds it (`liveness_unavailable on`): the capture sets the
 * `liveness_unavailable` signal, and the checks runner puts the verdict in the review queue instead.
 */
export function livenessUnavailableDecision(_session: Pick<VerificationSession, 'account' | 'mode' | 'id'>): {
  action: 'requires_input';
  failure: Failure;
} {
  return { action: 'requires_input', failure: { code: 'selfie_unverified_other', reason: LIVENESS_REASONS.unavailable } };
}
