/**
 * Which checks provider verifies a session: test mode's always; in live mode the AWS provider
 * (functions/checks/live/: Textract and Rekognition on the images in the file store, and the
 * business's ID-number provider) when `VERITY_LIVE_CHECKS=aws`. Only the checks worker imports
 * this module; the page and the API routes ask functions/checks/availability.ts, which bundles
 * no AWS client.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { TextractClient, type TextractClientConfig } from '@aws-sdk/client-textract';
import type { VerificationChecks } from '../domain/verification-checks';
import type { Mode } from '../domain/scope';
import { fileStore } from '../store/files';
import { checksAvailable, ID_NUMBER_PROVIDER_ENV, lambdaRegionOf } from './availability';
import { lambdaIdNumberProvider } from './lambda-id-number-provider';
import { createLiveChecks, liveCheckSettings } from './live';
import { testModeChecks } from './test-mode';

export { checksAvailable, idNumberProviderConfigured } from './availability';

/** Where the AWS clients go and as whom: the Lambda's own region and role when left out. */
export interface AwsClientSettings {
  region?: string;
  credentials?: TextractClientConfig['credentials'];
}

let live: VerificationChecks | undefined;

export function checksFor(mode: Mode): VerificationChecks | undefined {
  if (mode === 'test') return testModeChecks;
  if (!checksAvailable('live')) return undefined;
  // Built on first use, so a worker that only ever sees test mode makes no AWS client.
  live ??= liveChecksFromEnvironment();
  return live;
}

/** Where a live provider registers itself (the local runtime's opt-in); `undefined` forgets it. */
export function useLiveChecks(provider: VerificationChecks | undefined): void {
  live = provider;
}

/**
 * The AWS live provider as the environment configures it: thresholds from liveCheckSettings()
 * (throws a one-line message for an invalid value), images from the file store (S3 locations in
 * AWS, bytes locally), and the ID-number provider Lambda when `VERITY_ID_NUMBER_PROVIDER_ARN` names one.
 */
export function liveChecksFromEnvironment(env: NodeJS.ProcessEnv = process.env, aws: AwsClientSettings = {}): VerificationChecks {
  const settings = liveCheckSettings(env);
  const idNumberArn = env[ID_NUMBER_PROVIDER_ENV] || undefined;
  return createLiveChecks({
    textract: new TextractClient(aws),
    rekognition: new RekognitionClient(aws),
    images: (scope, id) => fileStore().checkImage(scope, id),
    settings,
    idNumbers: idNumberArn
      ? lambdaIdNumberProvider(
          idNumberArn,
          aws.credentials ? { client: new LambdaClient({ region: lambdaRegionOf(idNumberArn), credentials: aws.credentials }) } : {},
        )
      : undefined,
  });
}
