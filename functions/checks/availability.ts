/**
 * Whether a mode's checks can run, read from the environment alone: the verification page and
 * the create and update routes ask this, and must not bundle the AWS clients that the checks
 * worker registers (functions/checks/index.ts).
 */
import type { Mode } from '../domain/verification-session';

/** `aws`: live sessions are checked by Textract and Rekognition (set by the CDK stack on the checks worker and the page; opt-in under `npm start`). */
export const LIVE_CHECKS_ENV = 'VERITY_LIVE_CHECKS';
/** The ARN of the business's ID-number provider Lambda (functions/checks/lambda-id-number-provider.ts); unset: none. */
export const ID_NUMBER_PROVIDER_ENV = 'VERITY_ID_NUMBER_PROVIDER_ARN';

/** Test mode is always checked; live mode when the live provider is configured. */
export function checksAvailable(mode: Mode, env: NodeJS.ProcessEnv = process.env): boolean {
  return mode === 'test' || env[LIVE_CHECKS_ENV] === 'aws';
}

/** Whether a live ID-number check has a provider to ask. */
export const idNumberProviderConfigured = (env: NodeJS.ProcessEnv = process.env): boolean => Boolean(env[ID_NUMBER_PROVIDER_ENV]);
