/**
 * `npm start`'s opt-in to the live checks: with `VERITY_LIVE_CHECKS=aws` and an AWS region and
 * credentials, live sessions are checked by the same provider as in AWS (functions/checks/live),
 * calling the operator's Textract and Rekognition with each image as bytes (at most 5 MB; the
 * provider fails a larger one plainly). Otherwise a live session's page keeps saying verification
 * is not available.
 *
 * The region and credentials are resolved here, before the local runtime points the process's
 * AWS variables at DynamoDB Local (configureLocalEnvironment), and handed to the clients: they
 * are read once, so temporary credentials last until they expire (then restart).
 */
import { TextractClient } from '@aws-sdk/client-textract';
import { liveChecksFromEnvironment, useLiveChecks } from '../functions/checks';
import { ID_NUMBER_PROVIDER_ENV, lambdaRegionOf, LIVE_CHECKS_ENV } from '../functions/checks/availability';
import { MAX_IMAGE_BYTES } from '../functions/checks/live/aws-errors';
import { liveCheckSettings } from '../functions/checks/live/settings';
import { OperatorError } from './data-dir';
import {
  awsFaceLivenessFromEnvironment,
  FACE_LIVENESS_BROWSER_ROLE_ENV,
  FACE_LIVENESS_ENV,
  faceLivenessOn,
  faceLivenessSettings,
  useFaceLiveness,
} from '../functions/checks/liveness';

/** What the start-up summary says about live checks. */
export interface LocalLiveChecks {
  enabled: boolean;
  /** One line, without personal data or secrets. */
  summary: string;
}

/**
 * Registers the live provider when the operator opted in and AWS can be reached as someone;
 * otherwise makes sure live pages say "not available" (unsets VERITY_LIVE_CHECKS). A setting that
 * is wrong (an unknown VERITY_LIVE_CHECKS value, a threshold out of range, an ARN that is not a
 * Lambda function's) throws an OperatorError: the operator asked for something that cannot run.
 */
export async function optInLiveChecks(env: NodeJS.ProcessEnv = process.env): Promise<LocalLiveChecks> {
  useLiveChecks(undefined);
  const asked = env[LIVE_CHECKS_ENV];
  if (asked === undefined || asked === '') {
    return {
      enabled: false,
      summary:
        `not available: live pages say so (set ${LIVE_CHECKS_ENV}=aws, an AWS region and credentials to check with Textract and ` +
        `Rekognition)`,
    };
  }
  if (asked !== 'aws') throw new OperatorError(`${LIVE_CHECKS_ENV} must be aws (or unset), not "${asked}"`);
  try {
    liveCheckSettings(env);
    faceLivenessSettings(env);
    const arn = env[ID_NUMBER_PROVIDER_ENV];
    if (arn) lambdaRegionOf(arn);
  } catch (error) {
    throw new OperatorError((error as Error).message);
  }
  const aws = await awsIdentity(env);
  if ('missing' in aws) {
    delete env[LIVE_CHECKS_ENV];
    return {
      enabled: false,
      summary: `not available: ${LIVE_CHECKS_ENV}=aws needs ${aws.missing}; live pages say verification is not available`,
    };
  }
  useLiveChecks(liveChecksFromEnvironment(env, aws));
  const liveness = optInFaceLiveness(env, aws);
  const idNumbers = env[ID_NUMBER_PROVIDER_ENV]
    ? `ID numbers by the Lambda in ${ID_NUMBER_PROVIDER_ENV}`
    : 'no ID-number provider: live sessions that ask for an ID number are refused';
  return {
    enabled: true,
    summary:
      `Textract and Rekognition in ${aws.region} (images sent as bytes, at most ${MAX_IMAGE_BYTES / (1024 * 1024)} MB ` +
      `each); ${idNumbers}; ${liveness}`,
  };
}

/**
 * Face Liveness for live selfies (unless VERITY_FACE_LIVENESS=off), with the operator's region and
 * credentials; the images come back as bytes (no output bucket locally). The page's credentials
 * come from the role VERITY_FACE_LIVENESS_BROWSER_ROLE_ARN names (never the operator's own): without
 * one, liveness is turned off for this run (VERITY_FACE_LIVENESS=off) and the summary says so. What the summary says.
 */
function optInFaceLiveness(env: NodeJS.ProcessEnv, aws: { region: string; credentials: object }): string {
  useFaceLiveness(undefined);
  if (!faceLivenessOn(env)) return `Face Liveness off (${FACE_LIVENESS_ENV}=off)`;
  if (!env[FACE_LIVENESS_BROWSER_ROLE_ENV]) {
    env[FACE_LIVENESS_ENV] = 'off';
    return `Face Liveness off: set ${FACE_LIVENESS_BROWSER_ROLE_ENV} to a role whose only right is rekognition:StartFaceLivenessSession`;
  }
  useFaceLiveness(awsFaceLivenessFromEnvironment(env, aws as Parameters<typeof awsFaceLivenessFromEnvironment>[1]));
  return `Face Liveness for live selfies (threshold ${faceLivenessSettings(env).threshold})`;
}

/**
 * The region and credentials the SDK's default chain finds now (environment, shared config and credentials files, SSO, container or
 * instance roles).
 */
export async function awsIdentity(env: NodeJS.ProcessEnv) {
  // The local runtime's own placeholder region (configureLocalEnvironment) is no region of AWS's.
  if (env.AWS_REGION === 'local') return { missing: 'an AWS region (AWS_REGION)' } as const;
  const probe = new TextractClient({});
  try {
    const region = await probe.config.region().catch(() => undefined);
    if (!region) return { missing: 'an AWS region (AWS_REGION, or region in your AWS profile)' } as const;
    const credentials = await probe.config.credentials().catch(() => undefined);
    if (!credentials)
      return { missing: 'AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or aws sso login)' } as const;
    return { region, credentials };
  } finally {
    probe.destroy();
  }
}
