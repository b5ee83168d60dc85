/**
 * Face Liveness in live mode end to end, locally: the local service with VERITY_LIVE_CHECKS=aws and
 * a browser role, only the AWS clients mocked (aws-sdk-client-mock on Rekognition, STS and
 * Textract, in this process, where the local runtime runs every handler and the checks worker). The
 * page starts a liveness session (CreateFaceLivenessSession, AssumeRole), submits its id, and the
 * worker reads GetFaceLivenessSessionResults: no output bucket locally, so the images come as bytes.
 */
import {
  CompareFacesCommand,
  CreateFaceLivenessSessionCommand,
  DetectFacesCommand,
  GetFaceLivenessSessionResultsCommand,
  RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { AnalyzeIDCommand, TextractClient } from '@aws-sdk/client-textract';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import type Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import type { Scope } from '../../functions/domain/scope';
import { setLivenessChallenge } from '../../functions/store/liveness-settings';
import { LIVENESS_REASONS } from '../../functions/domain/verification-checks';
import { jpegHeader, pngImage } from '../support/images';
import { newStripeAccount, ownTable, startService } from '../support/local-service';
import { acceptOnPage, eventually, expectStatus, submitFromPage, uploadOnPage } from '../support/verification';

/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures are AWS's JSON, read as such */
const fixture = (name: string): any => JSON.parse(readFileSync(new URL(`../fixtures/aws/${name}.json`, import.meta.url), 'utf8'));

const rekognition = mockClient(RekognitionClient);
const sts = mockClient(STSClient);
const textract = mockClient(TextractClient);
const ROLE = 'arn:aws:iam::123456789012:role/VerityLivenessBrowser';
const OPT_IN = { VERITY_LIVE_CHECKS: 'aws', AWS_REGION: 'us-east-1', VERITY_FACE_LIVENESS_BROWSER_ROLE_ARN: ROLE };
const saved = Object.fromEntries([...Object.keys(OPT_IN), 'VERITY_FACE_LIVENESS'].map((name) => [name, process.env[name]]));

const FRONT = jpegHeader(2400, 1500);
const BACK = jpegHeader(2400, 1501);
const REFERENCE = pngImage(16, 16, '#c08040');
const AUDIT = pngImage(16, 16, '#c08041');
const SESSION_ID = '6d3e3f5c-2f6a-4b8e-9c7d-1a2b3c4d5e6f';

let service: LocalRuntime;
let stripe: Stripe;
let scope: Scope;
beforeAll(async () => {
  Object.assign(process.env, OPT_IN);
  service = await startService({ tableName: await ownTable('verity-test-liveness-live') });
  expect(service.liveChecks.summary).toMatch(/Face Liveness for live selfies \(threshold 80\)/);
  ({ stripe, scope } = await newStripeAccount(service, 'live'));
});
afterAll(async () => {
  await service.stop();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rekognition.restore();
  sts.restore();
  textract.restore();
});
beforeEach(() => {
  rekognition.reset();
  sts.reset();
  textract.reset();
  const credentials = fixture('assume-role-liveness');
  credentials.Credentials.Expiration = new Date(credentials.Credentials.Expiration);
  sts.on(AssumeRoleCommand).resolves(credentials);
  rekognition.on(CreateFaceLivenessSessionCommand).resolves(fixture('create-face-liveness-session'));
  textract.on(AnalyzeIDCommand).resolves(fixture('analyze-id-us-driving-licence'));
  rekognition
    .on(DetectFacesCommand)
    .callsFake((input: { Image?: { Bytes?: Uint8Array } }) =>
      Buffer.from(input.Image?.Bytes ?? []).equals(REFERENCE) ? fixture('detect-faces-selfie') : fixture('detect-faces-document'),
    );
  rekognition.on(CompareFacesCommand).resolves(fixture('compare-faces-match'));
});

/** A person on a live selfie session's page: accepted, document photos uploaded, a liveness session started. */
async function startedLiveness() {
  const session = await stripe.identity.verificationSessions.create({
    type: 'document',
    options: { document: { allowed_types: ['driving_license'], require_matching_selfie: true } },
  });
  const visit = await acceptOnPage(service.url, session.url!);
  const started = await fetch(`${service.url}${visit.path}/liveness_sessions`, {
    method: 'POST',
    headers: { cookie: visit.cookie, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(started.status, await started.clone().text()).toBe(200);
  const photos = {
    document_type: 'driving_license',
    document_front: await uploadOnPage(visit, FRONT),
    document_back: await uploadOnPage(visit, BACK),
  };
  return { session, visit, liveness: (await started.json()) as Record<string, unknown>, photos };
}

/** GetFaceLivenessSessionResults as AWS answers without an output bucket: the images as bytes. */
const withBytes = (name: string) => {
  const answer = fixture(name);
  if (answer.ReferenceImage) answer.ReferenceImage = { Bytes: REFERENCE, BoundingBox: answer.ReferenceImage.BoundingBox };
  answer.AuditImages = (answer.AuditImages ?? []).map((image: any) => ({ Bytes: AUDIT, BoundingBox: image.BoundingBox }));
  return answer;
};

describe('a live selfie session with Face Liveness', () => {
  it('asks CreateFaceLivenessSession for the challenge the account chose in that mode (movement only, no flashing colours)', async () => {
    const asked = () => rekognition.commandCalls(CreateFaceLivenessSessionCommand).at(-1)!.args[0].input.Settings?.ChallengePreferences;
    try {
      // Chosen in test mode only: live mode keeps the deployment's.
      await setLivenessChallenge({ ...scope, mode: 'test' }, 'FaceMovementChallenge', new Date());
      expect((await startedLiveness()).liveness.challenge).toBe('FaceMovementAndLightChallenge');
      expect(asked()).toEqual([{ Type: 'FaceMovementAndLightChallenge' }]);

      await setLivenessChallenge(scope, 'FaceMovementChallenge', new Date());
      expect((await startedLiveness()).liveness.challenge).toBe('FaceMovementChallenge');
      expect(asked()).toEqual([{ Type: 'FaceMovementChallenge' }]);
    } finally {
      await setLivenessChallenge(scope, null, new Date());
      await setLivenessChallenge({ ...scope, mode: 'test' }, null, new Date());
    }
  });

  it('starts an AWS liveness session with 15-minute page credentials; verifies with the reference image as the selfie', async () => {
    const { session, visit, liveness, photos } = await startedLiveness();
    expect(liveness).toMatchObject({
      mode: 'aws',
      id: SESSION_ID,
      region: 'us-east-1',
      challenge: 'FaceMovementAndLightChallenge',
      credentials: { access_key_id: 'ASIAIOSFODNN7EXAMPLE', session_token: expect.any(String), expiration: expect.any(Number) },
    });
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toMatchObject({ RoleArn: ROLE, DurationSeconds: 900 });
    // Locally there is no output bucket: the images come back as bytes.
    expect(rekognition.commandCalls(CreateFaceLivenessSessionCommand)[0]!.args[0].input.Settings).toEqual({
      AuditImagesLimit: 2,
      ChallengePreferences: [{ Type: 'FaceMovementAndLightChallenge' }],
    });

    // The selfie is the liveness capture: a photo of it is refused, and a submission needs the liveness session.
    const photo = await submitFromPage(visit, { ...photos, selfie: photos.document_front });
    expect(photo.status).toBe(400);
    const none = await submitFromPage(visit, photos);
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error: unknown }).error).toMatchObject({ code: 'parameter_missing', param: 'liveness_session' });

    rekognition.on(GetFaceLivenessSessionResultsCommand).resolves(withBytes('get-face-liveness-session-results-succeeded'));
    const submitted = await submitFromPage(visit, { ...photos, liveness_session: liveness.id });
    expect(submitted.status, await submitted.clone().text()).toBe(200);
    const verified = await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('verified'));
    expect(rekognition.commandCalls(GetFaceLivenessSessionResultsCommand)[0]!.args[0].input).toEqual({ SessionId: SESSION_ID });
    // CompareFaces matched the document against the reference image.
    const [compared] = rekognition.commandCalls(CompareFacesCommand);
    expect(Buffer.from(compared!.args[0].input.TargetImage!.Bytes!)).toEqual(Buffer.from(REFERENCE));

    const report = await stripe.identity.verificationReports.retrieve(verified.last_verification_report as string);
    expect(report.selfie).toMatchObject({ status: 'verified', error: null, selfie: expect.stringMatching(/^file_/) });
    const file = await stripe.files.retrieve(report.selfie!.selfie as string);
    expect(file).toMatchObject({ purpose: 'selfie', size: REFERENCE.byteLength, type: 'png' });
  });

  it.each([
    ['get-face-liveness-session-results-low-confidence', 'selfie_manipulated', expect.any(String)],
    ['get-face-liveness-session-results-expired', 'selfie_unverified_other', LIVENESS_REASONS.expired],
    ['get-face-liveness-session-results-failed', 'selfie_unverified_other', LIVENESS_REASONS.failed],
    ['get-face-liveness-session-results-in-progress', 'selfie_unverified_other', LIVENESS_REASONS.notFinished],
    ['get-face-liveness-session-results-no-reference', 'selfie_unverified_other', LIVENESS_REASONS.noReference],
  ])('%s: requires_input with %s, and the report’s selfie unverified', async (name, code, reason) => {
    const { session, visit, liveness, photos } = await startedLiveness();
    rekognition.on(GetFaceLivenessSessionResultsCommand).resolves(withBytes(name));
    expect((await submitFromPage(visit, { ...photos, liveness_session: liveness.id })).status).toBe(200);
    const failed = await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('requires_input'));
    expect(failed.last_error).toEqual({ code, reason });
    const report = await stripe.identity.verificationReports.retrieve(failed.last_verification_report as string);
    expect(report.selfie).toMatchObject({ status: 'unverified', error: { code } });
    expect(rekognition.commandCalls(CompareFacesCommand)).toEqual([]);
  });
});
