/**
 * Whether a mode's checks can run, read from the environment alone: the verification page and
 * the create and update routes ask this, and must not bundle the AWS clients that the checks
 * worker registers (functions/checks/index.ts).
 */
import { invalidParameter } from '../domain/errors';
import { checksOf } from '../domain/verification-checks';
import type { VerificationSession } from '../domain/verification-session';
import type { Mode } from '../domain/scope';

/**
 * `aws`: live sessions are checked by Textract and Rekognition (set by the CDK stack on the checks worker and the page; opt-in under `npm
 * start`).
 */
export const LIVE_CHECKS_ENV = 'VERITY_LIVE_CHECKS';
/** The ARN of the business's ID-number provider Lambda (functions/checks/lambda-id-number-provider.ts); unset: none. */
export const ID_NUMBER_PROVIDER_ENV = 'VERITY_ID_NUMBER_PROVIDER_ARN';

/** Test mode is always checked; live mode when the live provider is configured. */
export function checksAvailable(mode: Mode, env: NodeJS.ProcessEnv = process.env): boolean {
  return mode === 'test' || env[LIVE_CHECKS_ENV] === 'aws';
}

/** Whether a live ID-number check has a provider to ask. */
export const idNumberProviderConfigured = (env: NodeJS.ProcessEnv = process.env): boolean => Boolean(env[ID_NUMBER_PROVIDER_ENV]);

/**
 * Refuses a live session that would ask for an ID number nobody can check: Verity cannot query a
 * government database, and without a provider the check could only fail. `session` is the session
 * as created or updated; a test-mode session, or one that asks for no ID number, passes.
 * Throws `invalid_parameter` (HTTP 400 `invalid_request_error`) naming the parameter that asks for it.
 */
export function refuseUncheckableIdNumber(
  session: Pick<VerificationSession, 'mode' | 'type' | 'options'>,
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (session.mode !== 'live' || !checksOf(session).includes('id_number') || idNumberProviderConfigured(env)) return;
  const asked =
    session.type === 'id_number'
      ? { param: 'type', what: '`type: id_number`' }
      : { param: 'options[document][require_id_number]', what: '`options[document][require_id_number]`' };
  throw invalidParameter(
    'parameter_invalid',
    `Live sessions cannot ask for an ID number (${asked.what}) on this Verity deployment: Verity cannot check ID numbers itself, and no ` +
      `ID-number provider is configured. ` +
      'Set the CDK context `idNumberProviderFunctionArn` to the ARN of your ID-number provider Lambda (locally, the environment ' +
      'variable VERITY_ID_NUMBER_PROVIDER_ARN) and redeploy, ' +
      'or verify without an ID number.',
    asked.param,
  );
}

/** A Lambda function ARN (unqualified, or with a version or alias), and the region it names. */
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9_$-]{1,128})?$/;

/** The region a Lambda function ARN names; throws a one-line message when `arn` is not one. */
export function lambdaRegionOf(arn: string): string {
  const match = FUNCTION_ARN.exec(arn);
  if (!match)
    throw new Error(
      `${ID_NUMBER_PROVIDER_ENV} must be a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>), not "${arn}"`,
    );
  return match[1]!;
}
