/**
 * Whether a session's selfie is captured through Amazon Rekognition Face Liveness, and its
 * settings, read from the environment alone: the page routes import this module (it bundles no
 * AWS client), the checks worker and the CDK construct read the same settings.
 *
 * - `aws`: live mode, `VERITY_LIVE_CHECKS=aws`, liveness not turned off (`VERITY_FACE_LIVENESS=off`;
 *   the construct's `faceLiveness: false` prop), and a session that asks for a selfie
 *   (`options.document.require_matching_selfie`): the page runs AWS's liveness component and the
 *   checks read its result.
 * - `stand_in`: the same session in test mode, while liveness is not turned off: the page shows a
 *   stand-in step (no AWS call) in addition to the selfie photo taken as today, and the test
 *   outcomes decide. Local default: on (`npm start` without `VERITY_FACE_LIVENESS`), so a business
 *   sees in test mode the step its live sessions will have.
 * - `off`: everything else.
 */
import { checksAvailable } from '../availability';
import { checksOf } from '../../domain/verification-checks';
import type { VerificationSession } from '../../domain/verification-session';

/** `off` turns Face Liveness off for the deployment (set by the construct's `faceLiveness: false`); anything else leaves it on. */
export const FACE_LIVENESS_ENV = 'VERITY_FACE_LIVENESS';
/** 0–100: a liveness `Confidence` below it fails the selfie with `selfie_manipulated`. */
export const FACE_LIVENESS_THRESHOLD_ENV = 'VERITY_FACE_LIVENESS_THRESHOLD';
/** `FaceMovementAndLightChallenge` (default) or `FaceMovementChallenge` (movement only, no flashing colours). */
export const FACE_LIVENESS_CHALLENGE_ENV = 'VERITY_FACE_LIVENESS_CHALLENGE';
/** The ARN of the role whose credentials the page's component receives (set by the construct). */
export const FACE_LIVENESS_BROWSER_ROLE_ENV = 'VERITY_FACE_LIVENESS_BROWSER_ROLE_ARN';
/** The bucket Rekognition writes reference and audit images to (the uploads bucket; set by the construct). */
export const FACE_LIVENESS_BUCKET_ENV = 'VERITY_FACE_LIVENESS_BUCKET';
/** The stack's KMS key (ARN) the liveness images are encrypted with (set by the construct). */
export const FACE_LIVENESS_KEY_ENV = 'VERITY_FACE_LIVENESS_KMS_KEY';

export type LivenessMode = 'aws' | 'stand_in' | 'off';

/**
 * The default threshold, 80: AWS's service card for Face Liveness suggests 50–60 against
 * presentation attacks (a printed photo, a screen, a mask held to the camera) and 80–90 against
 * injection and deepfake attacks (a virtual camera feeding made-up video); 80 is the lower end of
 * the stronger range. https://aws.amazon.com/machine-learning/responsible-machine-learning/rekognition-face-liveness/
 */
export const DEFAULT_FACE_LIVENESS_THRESHOLD = 80;

export const LIVENESS_CHALLENGES = ['FaceMovementAndLightChallenge', 'FaceMovementChallenge'] as const;
export type LivenessChallenge = (typeof LIVENESS_CHALLENGES)[number];

/**
 * The regions where Face Liveness is offered, as a re:Post answer quoting AWS's FAQ lists them
 * (https://repost.aws/questions/QUOKDLPsVvQne9ZmMipd7X2Q; its date is unknown, so the list may be
 * out of date: check AWS's Regional Services list before deploying elsewhere).
 */
export const FACE_LIVENESS_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1', 'ap-south-1'] as const;

/** Whether the deployment has Face Liveness turned on (it is unless `VERITY_FACE_LIVENESS=off`). */
export const faceLivenessOn = (env: NodeJS.ProcessEnv = process.env) => env[FACE_LIVENESS_ENV]?.trim().toLowerCase() !== 'off';

/** How `session`'s selfie is captured: `aws`, `stand_in` or `off` (see the module's comment). */
export function livenessFor(
  session: Pick<VerificationSession, 'mode' | 'type' | 'options'>,
  env: NodeJS.ProcessEnv = process.env,
): LivenessMode {
  if (!checksOf(session).includes('selfie') || !faceLivenessOn(env)) return 'off';
  if (session.mode === 'test') return 'stand_in';
  return checksAvailable('live', env) ? 'aws' : 'off';
}

/** The deployment's liveness settings. */
export interface FaceLivenessSettings {
  /** 0–100, see DEFAULT_FACE_LIVENESS_THRESHOLD. */
  threshold: number;
  challenge: LivenessChallenge;
}

/**
 * The settings from `env`: unset or empty takes the default.
 * @throws Error `"VERITY_FACE_LIVENESS_THRESHOLD must be a number from 0 to 100, not \"abc\"."`, or for a challenge not in
 *   LIVENESS_CHALLENGES: one line naming the variable and the values it takes.
 */
export function faceLivenessSettings(env: NodeJS.ProcessEnv = process.env): FaceLivenessSettings {
  const rawThreshold = env[FACE_LIVENESS_THRESHOLD_ENV]?.trim();
  let threshold = DEFAULT_FACE_LIVENESS_THRESHOLD;
  if (rawThreshold) {
    threshold = Number(rawThreshold);
    if (!/^\d+(\.\d+)?$/.test(rawThreshold) || threshold < 0 || threshold > 100) {
      throw new Error(`${FACE_LIVENESS_THRESHOLD_ENV} must be a number from 0 to 100, not ${JSON.stringify(rawThreshold.slice(0, 40))}.`);
    }
  }
  const rawChallenge = env[FACE_LIVENESS_CHALLENGE_ENV]?.trim();
  const challenge = (rawChallenge || LIVENESS_CHALLENGES[0]) as LivenessChallenge;
  if (!LIVENESS_CHALLENGES.includes(challenge)) {
    throw new Error(
      `${FACE_LIVENESS_CHALLENGE_ENV} must be one of ${LIVENESS_CHALLENGES.join(', ')}, not ${JSON.stringify(rawChallenge!.slice(0, 40))}.`,
    );
  }
  return { threshold, challenge };
}

/**
 * Refuses Face Liveness in a region without it (AWS answers `AccessDeniedException` there, and the
 * output bucket and key must be in the region of the call). `region` undefined: a region-agnostic
 * stack, whose region CloudFormation decides at deploy time: refused as well, since nothing could
 * then be checked before the page fails.
 * @throws Error one line naming the region, the regions with Face Liveness, and how to turn it off.
 */
export function assertFaceLivenessRegion(region: string | undefined): void {
  if (region && (FACE_LIVENESS_REGIONS as readonly string[]).includes(region)) return;
  const where = region ? `the region ${region}` : 'a stack without an explicit region (env.region)';
  throw new Error(
    `Amazon Rekognition Face Liveness is not available in ${where}: it is offered in ${FACE_LIVENESS_REGIONS.join(', ')} ` +
      '(list quoted from AWS FAQ by re:Post, date unknown). Deploy to one of them, or turn liveness off with the Verity prop ' +
      '`faceLiveness: false`.',
  );
}
