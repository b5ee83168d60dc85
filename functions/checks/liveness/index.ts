/**
 * The Face Liveness adapter for a session's mode, as the environment configures it: the stand-in
 * in test mode, AWS's in live mode (clients made on first use). Read by the page's liveness route
 * and the checks worker.
 */
import { RekognitionClient, type RekognitionClientConfig } from '@aws-sdk/client-rekognition';
import { STSClient } from '@aws-sdk/client-sts';
import type { Mode, Scope } from '../../domain/scope';
import { findLivenessSettings } from '../../store/liveness-settings';
import {
  FACE_LIVENESS_BROWSER_ROLE_ENV,
  FACE_LIVENESS_BUCKET_ENV,
  FACE_LIVENESS_ENV,
  FACE_LIVENESS_KEY_ENV,
  faceLivenessSettings,
  LIVENESS_CHALLENGES,
  type LivenessChallenge,
} from './availability';
import { awsFaceLiveness } from './aws';
import type { FaceLiveness } from './port';
import { standInLiveness } from './stand-in';

export * from './availability';
export type * from './port';

let live: FaceLiveness | undefined;

/** The adapter for `mode`. */
export function faceLivenessFor(mode: Mode, env: NodeJS.ProcessEnv = process.env): FaceLiveness {
  if (mode === 'test') return standInLiveness;
  live ??= awsFaceLivenessFromEnvironment(env);
  return live;
}

/**
 * AWS's adapter as the environment configures it (the construct sets the role, bucket and key);
 * `aws` the region and credentials of its clients (the Lambda's own when left out; `npm start` passes the operator's).
 * @throws Error when no browser role is named: the page's component could not be given credentials.
 */
export function awsFaceLivenessFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  aws: { region?: string; credentials?: RekognitionClientConfig['credentials'] } = {},
): FaceLiveness {
  const browserRoleArn = env[FACE_LIVENESS_BROWSER_ROLE_ENV];
  if (!browserRoleArn) {
    throw new Error(
      `${FACE_LIVENESS_BROWSER_ROLE_ENV} must name the role whose only right is rekognition:StartFaceLivenessSession ` +
        `(the page's credentials), or set ${FACE_LIVENESS_ENV}=off.`,
    );
  }
  return awsFaceLiveness({
    rekognition: new RekognitionClient(aws),
    sts: new STSClient(aws),
    browserRoleArn,
    bucket: env[FACE_LIVENESS_BUCKET_ENV] || undefined,
    kmsKeyId: env[FACE_LIVENESS_KEY_ENV] || undefined,
  });
}

/** Where a test or the local runtime registers a live adapter (a mocked one); `undefined` forgets it. */
export function useFaceLiveness(adapter: FaceLiveness | undefined): void {
  live = adapter;
}

/**
 * The challenge a new liveness session of `scope` asks CreateFaceLivenessSession for
 * (`ChallengePreferences`): the account's choice in that mode (`npm run keys -- liveness`,
 * functions/store/liveness-settings.ts), else the deployment's (`VERITY_FACE_LIVENESS_CHALLENGE`,
 * default `FaceMovementAndLightChallenge`). A stored value that is no longer one of
 * LIVENESS_CHALLENGES is ignored. One GetItem.
 */
export async function livenessChallengeFor(scope: Scope, env: NodeJS.ProcessEnv = process.env): Promise<LivenessChallenge> {
  const { challenge } = await findLivenessSettings(scope);
  return LIVENESS_CHALLENGES.find((known) => known === challenge) ?? faceLivenessSettings(env).challenge;
}
