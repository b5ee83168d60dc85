/**
 * Face Liveness: the AWS adapter (aws-sdk-client-mock, fixtures in the shapes of AWS's API reference
 * for CreateFaceLivenessSession, GetFaceLivenessSessionResults and STS AssumeRole), the verdict
 * rules for every outcome, the capture the checks runner takes, and the settings.
 */
import { readFileSync } from 'node:fs';
import { CreateFaceLivenessSessionCommand, GetFaceLivenessSessionResultsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { awsFaceLiveness, BROWSER_CREDENTIAL_SECONDS, LIVENESS_AUDIT_IMAGES } from '../../../functions/checks/liveness/aws';
import {
  assertFaceLivenessRegion,
  DEFAULT_FACE_LIVENESS_THRESHOLD,
  faceLivenessSettings,
  livenessFor,
} from '../../../functions/checks/liveness/availability';
import { livenessCapture, type CaptureDeps } from '../../../functions/checks/liveness/capture';
import { livenessUnavailableDecision, livenessVerdict } from '../../../functions/checks/liveness/verdict';
import { livenessOutputPrefix, type LivenessResult } from '../../../functions/checks/liveness/port';
import { LIVENESS_REASONS, type Submission } from '../../../functions/domain/verification-checks';
import type { VerificationSession } from '../../../functions/domain/verification-session';
import type { CheckImage, FileInfo, FileStore } from '../../../functions/store/files';

/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures are AWS's JSON, read as such */
const fixture = (name: string): any => JSON.parse(readFileSync(new URL(`../../fixtures/aws/${name}.json`, import.meta.url), 'utf8'));

const rekognitionMock = mockClient(RekognitionClient);
const stsMock = mockClient(STSClient);
afterAll(() => {
  rekognitionMock.restore();
  stsMock.restore();
});
beforeEach(() => {
  rekognitionMock.reset();
  stsMock.reset();
});

const ROLE = 'arn:aws:iam::123456789012:role/VerityLivenessBrowser';
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const scope = { account: 'acct_1', mode: 'live' } as const;
const adapter = (bucket: string | undefined = 'verity-uploads-bucket') =>
  awsFaceLiveness({
    rekognition: new RekognitionClient({ region: 'us-east-1' }),
    sts: new STSClient({ region: 'us-east-1' }),
    browserRoleArn: ROLE,
    bucket,
    kmsKeyId: KEY,
  });

describe('the AWS adapter', () => {
  it('creates a liveness session with the key, the session’s own output prefix, 2 audit images and the chosen challenge', async () => {
    rekognitionMock.on(CreateFaceLivenessSessionCommand).resolves(fixture('create-face-liveness-session'));
    const { id } = await adapter().createSession({
      scope,
      session: 'vs_1',
      attempt: '-',
      challenge: 'FaceMovementChallenge',
      clientRequestToken: 'token-1',
    });
    expect(id).toBe('6d3e3f5c-2f6a-4b8e-9c7d-1a2b3c4d5e6f');
    expect(rekognitionMock.commandCalls(CreateFaceLivenessSessionCommand)[0]!.args[0].input).toEqual({
      ClientRequestToken: 'token-1',
      KmsKeyId: KEY,
      Settings: {
        OutputConfig: { S3Bucket: 'verity-uploads-bucket', S3KeyPrefix: 'uploads/acct_1/live/vs_1/-/liveness/' },
        AuditImagesLimit: LIVENESS_AUDIT_IMAGES,
        ChallengePreferences: [{ Type: 'FaceMovementChallenge' }],
      },
    });
  });

  it('asks for no output bucket when none is configured (npm start: the images come back as bytes)', async () => {
    rekognitionMock.on(CreateFaceLivenessSessionCommand).resolves(fixture('create-face-liveness-session'));
    await adapter('').createSession({
      scope,
      session: 'vs_1',
      attempt: '-',
      challenge: 'FaceMovementAndLightChallenge',
      clientRequestToken: 't',
    });
    expect(rekognitionMock.commandCalls(CreateFaceLivenessSessionCommand)[0]!.args[0].input.Settings!.OutputConfig).toBeUndefined();
  });

  it('issues the page 15-minute credentials of the browser role, named after the liveness session', async () => {
    const answer = fixture('assume-role-liveness');
    answer.Credentials.Expiration = new Date(answer.Credentials.Expiration);
    stsMock.on(AssumeRoleCommand).resolves(answer);
    const credentials = await adapter().browserCredentials('6d3e3f5c-2f6a-4b8e-9c7d-1a2b3c4d5e6f');
    expect(credentials).toEqual({
      access_key_id: 'ASIAIOSFODNN7EXAMPLE',
      secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY',
      session_token: 'IQoJb3JpZ2luX2VjEXAMPLETOKEN',
      expiration: Date.parse('2026-12-07T21:15:00Z') / 1000,
    });
    expect(stsMock.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toEqual({
      RoleArn: ROLE,
      RoleSessionName: 'liveness-6d3e3f5c-2f6a-4b8e-9c7d-1a2b3c4d5e6f',
      DurationSeconds: BROWSER_CREDENTIAL_SECONDS,
    });
    expect(BROWSER_CREDENTIAL_SECONDS).toBe(900);
  });

  it('reads every outcome of GetFaceLivenessSessionResults', async () => {
    const read = async (name: string) => {
      rekognitionMock.on(GetFaceLivenessSessionResultsCommand).resolves(fixture(name));
      return adapter().results('6d3e3f5c-2f6a-4b8e-9c7d-1a2b3c4d5e6f');
    };
    expect(await read('get-face-liveness-session-results-succeeded')).toEqual({
      status: 'SUCCEEDED',
      confidence: 98.7,
      reference: { S3Object: expect.objectContaining({ Bucket: 'verity-uploads-bucket', Version: '3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY' }) },
      audits: [{ S3Object: expect.objectContaining({ Name: expect.stringMatching(/audit_images\/1\.jpg$/) }) }],
      challenge: 'FaceMovementAndLightChallenge',
    });
    expect(await read('get-face-liveness-session-results-low-confidence')).toMatchObject({ status: 'SUCCEEDED', confidence: 12.4 });
    for (const [name, status] of [
      ['failed', 'FAILED'],
      ['expired', 'EXPIRED'],
      ['in-progress', 'IN_PROGRESS'],
      ['created', 'CREATED'],
    ]) {
      expect(await read(`get-face-liveness-session-results-${name}`)).toEqual({
        status,
        confidence: null,
        reference: null,
        audits: [],
        challenge: null,
      });
    }
    expect(await read('get-face-liveness-session-results-no-reference')).toMatchObject({ status: 'SUCCEEDED', reference: null });
  });
});

const result = (overrides: Partial<LivenessResult>): LivenessResult => ({
  status: 'SUCCEEDED',
  confidence: 95,
  reference: { Bytes: new Uint8Array([1]) },
  audits: [],
  challenge: 'FaceMovementAndLightChallenge',
  ...overrides,
});

describe('the verdict', () => {
  it.each([
    ['EXPIRED', LIVENESS_REASONS.expired],
    ['FAILED', LIVENESS_REASONS.failed],
    ['CREATED', LIVENESS_REASONS.notFinished],
    ['IN_PROGRESS', LIVENESS_REASONS.notFinished],
  ] as const)('%s: selfie_unverified_other with its reason', (status, reason) => {
    expect(livenessVerdict(result({ status, confidence: null, reference: null }), 80)).toEqual({
      failure: { code: 'selfie_unverified_other', reason },
    });
  });

  it('a confidence below the threshold (or none) is selfie_manipulated; at the threshold it passes', () => {
    expect(livenessVerdict(result({ confidence: 79.9 }), 80)).toEqual({
      failure: { code: 'selfie_manipulated', reason: expect.any(String) },
    });
    expect(livenessVerdict(result({ confidence: null }), 80)).toMatchObject({ failure: { code: 'selfie_manipulated' } });
    expect(livenessVerdict(result({ confidence: 80 }), 80)).toEqual({ reference: { Bytes: new Uint8Array([1]) }, audits: [] });
  });

  it('a success without a reference image is selfie_unverified_other', () => {
    expect(livenessVerdict(result({ reference: null }), 80)).toEqual({
      failure: { code: 'selfie_unverified_other', reason: LIVENESS_REASONS.noReference },
    });
  });

  it('a person who cannot do the step: requires_input with the reason (the hook review will take)', () => {
    expect(livenessUnavailableDecision({ account: 'acct_1', mode: 'live', id: 'vs_1' })).toEqual({
      action: 'requires_input',
      failure: { code: 'selfie_unverified_other', reason: LIVENESS_REASONS.unavailable },
    });
  });
});

describe('the settings', () => {
  it('threshold 80 and the light challenge by default; refuses values out of range with one line', () => {
    expect(faceLivenessSettings({})).toEqual({ threshold: DEFAULT_FACE_LIVENESS_THRESHOLD, challenge: 'FaceMovementAndLightChallenge' });
    expect(DEFAULT_FACE_LIVENESS_THRESHOLD).toBe(80);
    expect(
      faceLivenessSettings({ VERITY_FACE_LIVENESS_THRESHOLD: '55.5', VERITY_FACE_LIVENESS_CHALLENGE: 'FaceMovementChallenge' }),
    ).toEqual({
      threshold: 55.5,
      challenge: 'FaceMovementChallenge',
    });
    expect(() => faceLivenessSettings({ VERITY_FACE_LIVENESS_THRESHOLD: '101' })).toThrow(
      'VERITY_FACE_LIVENESS_THRESHOLD must be a number from 0 to 100, not "101".',
    );
    expect(() => faceLivenessSettings({ VERITY_FACE_LIVENESS_THRESHOLD: 'high' })).toThrow(/VERITY_FACE_LIVENESS_THRESHOLD/);
    expect(() => faceLivenessSettings({ VERITY_FACE_LIVENESS_CHALLENGE: 'Blink' })).toThrow(
      /VERITY_FACE_LIVENESS_CHALLENGE must be one of/,
    );
  });

  it('livenessFor: aws for live selfie sessions with live checks, stand_in in test mode, off when turned off or without a selfie', () => {
    const selfie = { type: 'document', options: { document: { require_matching_selfie: true } } } as const;
    const live = { VERITY_LIVE_CHECKS: 'aws' };
    expect(livenessFor({ ...selfie, mode: 'live' }, live)).toBe('aws');
    expect(livenessFor({ ...selfie, mode: 'live' }, {})).toBe('off');
    expect(livenessFor({ ...selfie, mode: 'test' }, {})).toBe('stand_in');
    expect(livenessFor({ ...selfie, mode: 'live' }, { ...live, VERITY_FACE_LIVENESS: 'off' })).toBe('off');
    expect(livenessFor({ ...selfie, mode: 'test' }, { VERITY_FACE_LIVENESS: 'off' })).toBe('off');
    expect(livenessFor({ type: 'document', options: {}, mode: 'live' }, live)).toBe('off');
  });

  it('refuses a region without Face Liveness, naming the regions', () => {
    expect(() => assertFaceLivenessRegion('eu-west-1')).not.toThrow();
    expect(() => assertFaceLivenessRegion('eu-central-2')).toThrow(/not available in the region eu-central-2.*us-east-1, us-west-2/);
  });
});

describe('the capture the checks take', () => {
  const session = {
    id: 'vs_1',
    account: 'acct_1',
    mode: 'live',
    type: 'document',
    options: { document: { require_matching_selfie: true } },
  } as unknown as VerificationSession;
  const submission: Submission = {
    id: 'vsub_1',
    session: 'vs_1',
    created: 1,
    consent: 'given',
    files: {},
    liveness: { session: '6d3e3f5c-2f6a-4b8e-9c7d-1a2b3c4d5e6f' },
  };
  const prefix = livenessOutputPrefix(scope, 'vs_1', '-');
  const kept: FileInfo = { id: 'file_1', session: 'vs_1', purpose: 'selfie', content_type: 'image/jpeg', created: 1, size: 9 };
  const deps = (answer: LivenessResult, record: Record<string, unknown> | null = {}): CaptureDeps => ({
    liveness: {
      mode: 'aws',
      region: async () => 'us-east-1',
      createSession: async () => ({ id: '' }),
      browserCredentials: async () => null,
      results: async () => answer,
    },
    settings: { threshold: 80, challenge: 'FaceMovementAndLightChallenge' },
    files: {
      keepCapture: async (_s: unknown, _a: unknown, image: CheckImage) => ({
        ...kept,
        object_key: 'S3Object' in image ? image.S3Object.Name : 'local',
      }),
    } as unknown as FileStore,
    records: async (_scope, _session, id) =>
      record === null
        ? undefined
        : ({
            id,
            session: 'vs_1',
            attempt: '-',
            mode: 'aws',
            challenge: '',
            created: 1,
            expires_at: 181,
            submission: 'vsub_1',
            ...record,
          } as never),
    bucket: 'verity-uploads-bucket',
    now: () => new Date(),
  });
  const inBucket = (name: string) => ({ S3Object: { Bucket: 'verity-uploads-bucket', Name: `${prefix}${name}` } });
  const env = process.env.VERITY_LIVE_CHECKS;
  beforeEach(() => {
    process.env.VERITY_LIVE_CHECKS = 'aws';
    return () => {
      if (env === undefined) delete process.env.VERITY_LIVE_CHECKS;
      else process.env.VERITY_LIVE_CHECKS = env;
    };
  });

  it('a success: the reference image is the selfie, it and the audit images become files, the record is claimed', async () => {
    const capture = await livenessCapture(
      session,
      submission,
      deps(result({ reference: inBucket('r.jpg'), audits: [inBucket('a/1.jpg')] })),
    );
    expect(capture!.selfie).toEqual({ image: { S3Object: { Bucket: 'verity-uploads-bucket', Name: `${prefix}r.jpg` } } });
    expect(capture!.files.map((file) => file.object_key)).toEqual([`${prefix}r.jpg`, `${prefix}a/1.jpg`]);
    expect(capture!.claim).toEqual({
      session: 'vs_1',
      id: submission.liveness && 'session' in submission.liveness ? submission.liveness.session : '',
      submission: 'vsub_1',
    });
  });

  it('refuses images outside the session’s prefix, a record of another submission or none, and a record already read', async () => {
    const other = { S3Object: { Bucket: 'verity-uploads-bucket', Name: 'uploads/acct_2/live/vs_9/-/liveness/r.jpg' } };
    const foreign = { failure: { code: 'selfie_unverified_other', reason: LIVENESS_REASONS.foreign } };
    expect((await livenessCapture(session, submission, deps(result({ reference: other }))))!.selfie).toEqual(foreign);
    expect((await livenessCapture(session, submission, deps(result({}), { submission: 'vsub_2' })))!.selfie).toEqual(foreign);
    expect((await livenessCapture(session, submission, deps(result({}), null)))!.selfie).toEqual(foreign);
    expect((await livenessCapture(session, submission, deps(result({}), { report: 'vr_1' })))!.selfie).toEqual(foreign);
  });

  it('hands the review policy GetFaceLivenessSessionResults’ Confidence, and liveness_unavailable when no live capture came', async () => {
    const capture = (name: string, given: Submission = submission) => {
      const answer = fixture(name);
      for (const image of [answer.ReferenceImage, ...(answer.AuditImages ?? [])]) {
        if (image?.S3Object) image.S3Object.Name = image.S3Object.Name.replace('uploads/ACCOUNT/live/SESSION/ATTEMPT/liveness/', prefix);
      }
      rekognitionMock.on(GetFaceLivenessSessionResultsCommand).resolves(answer);
      // The AWS adapter itself, its client mocked: the signals come from AWS's documented answer.
      return livenessCapture(session, given, { ...deps(result({})), liveness: adapter() });
    };
    const succeeded = await capture('get-face-liveness-session-results-succeeded');
    expect(succeeded!.signals).toEqual({ liveness_confidence: 98.7 });
    expect(succeeded!.selfie).toHaveProperty('image');

    // Below the threshold: selfie_manipulated, and the reference and audit images are kept for the report and a reviewer.
    const low = await capture('get-face-liveness-session-results-low-confidence');
    expect(low!.signals).toEqual({ liveness_confidence: 12.4 });
    expect(low!.selfie).toEqual({ failure: { code: 'selfie_manipulated', reason: expect.any(String) } });
    expect(low!.files.map((file) => file.object_key)).toEqual([`${prefix}6d3e3f5c-2f6a-4b8e-9c7d-1a2b3c4d5e6f/reference.jpg`]);
    expect(low!.claim).toBeDefined();

    for (const name of ['expired', 'failed', 'in-progress', 'created']) {
      const none = await capture(`get-face-liveness-session-results-${name}`);
      expect(none!.signals, name).toEqual({ liveness_unavailable: true });
      expect(none!.files).toEqual([]);
    }
    const noReference = await capture('get-face-liveness-session-results-no-reference');
    expect(noReference!.signals).toEqual({ liveness_confidence: 97.1, liveness_unavailable: true });

    // The way out, in both modes; a submission refused for naming no liveness session measured nothing.
    const wayOut = { ...submission, liveness: { unavailable: true as const } };
    expect((await livenessCapture(session, wayOut, deps(result({}))))!.signals).toEqual({ liveness_unavailable: true });
    expect((await livenessCapture({ ...session, mode: 'test' }, wayOut))!.signals).toEqual({ liveness_unavailable: true });
    expect((await livenessCapture(session, { ...submission, liveness: undefined }, deps(result({}))))!.signals).toEqual({});
  });

  it('with liveness on, a live submission without a liveness session fails; liveness_unavailable goes to the decision hook', async () => {
    const none = await livenessCapture(session, { ...submission, liveness: undefined }, deps(result({})));
    expect(none!.selfie).toEqual({ failure: { code: 'selfie_unverified_other', reason: LIVENESS_REASONS.none } });
    const unavailable = await livenessCapture(session, { ...submission, liveness: { unavailable: true } }, deps(result({})));
    expect(unavailable!.selfie).toEqual({ failure: livenessUnavailableDecision(session).failure });
    expect(unavailable!.files).toEqual([]);
  });
});
