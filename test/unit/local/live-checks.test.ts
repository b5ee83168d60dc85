/**
 * `npm start`'s opt-in to live checks: off unless VERITY_LIVE_CHECKS=aws; on only with an AWS
 * region and credentials (then the live provider is registered, with the credentials found
 * before the runtime points the AWS variables at DynamoDB Local); a wrong setting stops the start.
 * Nothing here calls AWS: resolving a region and credentials from the environment is local.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksFor } from '../../../functions/checks';
import { OperatorError } from '../../../local/data-dir';
import { optInLiveChecks } from '../../../local/live-checks';

const VARIABLES = [
  'VERITY_LIVE_CHECKS',
  'VERITY_MIN_AGE',
  'VERITY_ID_NUMBER_PROVIDER_ARN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
];
let saved: Record<string, string | undefined>;

beforeEach(() => {
  saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of VARIABLES) delete process.env[name];
  // No profile files, no instance or container role: only what a test puts in the environment.
  Object.assign(process.env, {
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
});
afterEach(async () => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await optInLiveChecks({});
});

const withCredentials = () =>
  Object.assign(process.env, { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example-secret' });

describe('the local opt-in to live checks', () => {
  it('is off unless asked for, and says how to turn it on', async () => {
    withCredentials();
    const { enabled, summary } = await optInLiveChecks();
    expect(enabled).toBe(false);
    expect(summary).toMatch(/^not available: .*set VERITY_LIVE_CHECKS=aws/);
    expect(checksFor('live')).toBeUndefined();
  });

  it('registers the live provider with the region and credentials it finds', async () => {
    withCredentials();
    process.env.VERITY_LIVE_CHECKS = 'aws';
    const { enabled, summary } = await optInLiveChecks();
    expect(enabled).toBe(true);
    expect(summary).toMatch(/^Textract and Rekognition in eu-west-1 \(images sent as bytes, at most 5 MB each\); no ID-number provider/);
    expect(summary).not.toContain('AKIAEXAMPLE');
    const checks = checksFor('live');
    expect(checks).toBeDefined();
    // The registration survives the runtime pointing the AWS variables at DynamoDB Local.
    Object.assign(process.env, { AWS_REGION: 'local', AWS_ACCESS_KEY_ID: 'dynamodb-local' });
    expect(checksFor('live')).toBe(checks);
  });

  it('names the ID-number provider when one is configured', async () => {
    withCredentials();
    Object.assign(process.env, {
      VERITY_LIVE_CHECKS: 'aws',
      VERITY_ID_NUMBER_PROVIDER_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:check-ssn',
    });
    expect((await optInLiveChecks()).summary).toMatch(/ID numbers by the Lambda in VERITY_ID_NUMBER_PROVIDER_ARN/);
  });

  it.each([
    ['no region', { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example-secret' }, /needs an AWS region/],
    [
      "the local runtime's placeholder region",
      { AWS_REGION: 'local', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example-secret' },
      /needs an AWS region/,
    ],
    ['no credentials', { AWS_REGION: 'eu-west-1' }, /needs AWS credentials/],
  ])('keeps live pages "not available" with %s, and says what is missing', async (_, env, message) => {
    Object.assign(process.env, { VERITY_LIVE_CHECKS: 'aws', ...env });
    const { enabled, summary } = await optInLiveChecks();
    expect(enabled).toBe(false);
    expect(summary).toMatch(message);
    expect(process.env.VERITY_LIVE_CHECKS).toBeUndefined();
    expect(checksFor('live')).toBeUndefined();
  });

  it.each([
    ['an unknown provider', { VERITY_LIVE_CHECKS: 'local' }, 'VERITY_LIVE_CHECKS must be aws (or unset), not "local"'],
    ['a threshold out of range', { VERITY_LIVE_CHECKS: 'aws', VERITY_MIN_AGE: 'eighteen' }, /^VERITY_MIN_AGE must be a whole number/],
    [
      'an ARN that is not a Lambda function’s',
      { VERITY_LIVE_CHECKS: 'aws', VERITY_ID_NUMBER_PROVIDER_ARN: 'check-ssn' },
      /^VERITY_ID_NUMBER_PROVIDER_ARN must be a Lambda function ARN/,
    ],
  ])('stops the start on %s, in one line', async (_, env, message) => {
    withCredentials();
    Object.assign(process.env, env);
    const error = await optInLiveChecks().then(
      () => expect.fail('the opt-in should have refused'),
      (thrown: Error) => thrown,
    );
    expect(error).toBeInstanceOf(OperatorError);
    expect(error.message).toMatch(message);
  });
});
