/**
 * Live verification end to end, locally: the local service in live mode (VERITY_LIVE_CHECKS=aws,
 * as `npm start` opts in) with only the AWS clients mocked (aws-sdk-client-mock on the
 * Textract, Rekognition and Lambda clients, in this process, where the local runtime runs every
 * handler and the checks worker). A person uploads through the page's presigned contract and
 * submits; the worker reads the images from the file store and sends them as bytes; the session
 * ends `verified` with what the AWS fixtures (test/fixtures/aws/) show, or `requires_input` with
 * the failing check's `last_error`; the report shows what was read, through the `stripe` SDK.
 */
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { CompareFacesCommand, DetectFacesCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { AnalyzeIDCommand, DetectDocumentTextCommand, TextractClient } from '@aws-sdk/client-textract';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import type Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Scope } from '../../functions/domain/scope';
import type { LocalRuntime } from '../../local/runtime';
import { newRestrictedKey } from '../support/accounts';
import { jpegHeader, pngImage } from '../support/images';
import { newStripeAccount, ownTable, startService, stripeClient } from '../support/local-service';
import { acceptOnPage, eventually, expectStatus, submitFromPage, submitOnPage } from '../support/verification';

/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures are AWS's JSON, read as such */
const fixture = (name: string): any => JSON.parse(readFileSync(new URL(`../fixtures/aws/${name}.json`, import.meta.url), 'utf8'));

const PROVIDER_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:check-ssn';
const textract = mockClient(TextractClient);
const rekognition = mockClient(RekognitionClient);
const lambda = mockClient(LambdaClient);
const OPT_IN = { VERITY_LIVE_CHECKS: 'aws', AWS_REGION: 'us-east-1', VERITY_ID_NUMBER_PROVIDER_ARN: PROVIDER_ARN };
const saved = Object.fromEntries(Object.keys(OPT_IN).map((name) => [name, process.env[name]]));

/** Distinct images, so each call can be told apart by what it was sent. */
const FRONT = jpegHeader(2400, 1500);
const BACK = jpegHeader(2400, 1501);
const SELFIE = pngImage(16, 16, '#c08040');

let service: LocalRuntime;
let stripe: Stripe;
let scope: Scope;
/** Sees sensitive results: `document.dob`, `document.number` (Stripe's rule for restricted keys). */
let sensitive: Stripe;

beforeAll(async () => {
  // What an operator sets for `npm start` (credentials: the test environment's own, never used: every client is mocked).
  Object.assign(process.env, OPT_IN);
  // A table of its own: another file's checks worker (without live checks) must not take these submissions.
  service = await startService({ tableName: await ownTable('verity-test-live-verification') });
  expect(service.liveChecks).toMatchObject({ enabled: true });
  ({ stripe, scope } = await newStripeAccount(service, 'live'));
  sensitive = stripeClient(service, await newRestrictedKey(scope, { sensitive_results: true }));
});
afterAll(async () => {
  await service.stop();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  textract.restore();
  rekognition.restore();
  lambda.restore();
});
beforeEach(() => {
  textract.reset();
  rekognition.reset();
  lambda.reset();
});

const bytesOf = (image: { Bytes?: Uint8Array } | undefined) => Buffer.from(image?.Bytes ?? []);
const retrieve = (id: string) => stripe.identity.verificationSessions.retrieve(id);

describe('a live document session', () => {
  it('verifies a US driving licence read by AnalyzeID from the uploaded images, and the report shows what was read', async () => {
    textract.on(AnalyzeIDCommand).resolves(fixture('analyze-id-us-driving-licence'));
    const session = await stripe.identity.verificationSessions.create({
      type: 'document',
      options: { document: { allowed_types: ['driving_license'] } },
    });
    const submitted = await submitOnPage(service.url, session.url!, {
      document_type: 'driving_license',
      document_front: FRONT,
      document_back: BACK,
    });
    expect(submitted.status, await submitted.clone().text()).toBe(200);

    const verified = await eventually(() => retrieve(session.id), expectStatus('verified'));
    expect(verified.last_error).toBeNull();
    // The worker read both images from the file store and sent them, front then back, as bytes.
    const [call, ...more] = textract.commandCalls(AnalyzeIDCommand);
    expect(more).toEqual([]);
    expect(call!.args[0].input.DocumentPages!.map(bytesOf)).toEqual([FRONT, BACK]);
    // A US licence has no MRZ: nothing else was asked of AWS.
    expect(textract.commandCalls(DetectDocumentTextCommand)).toEqual([]);
    expect(rekognition.calls()).toEqual([]);

    const outputs = await stripe.identity.verificationSessions.retrieve(session.id, { expand: ['verified_outputs'] });
    expect(outputs.verified_outputs).toMatchObject({
      first_name: 'JENNIFER ANN',
      last_name: 'SAMPLE',
      address: { line1: '24 BEACON ST', city: 'BOSTON', state: 'MA', postal_code: '02108', country: 'US' },
    });
    const report = await sensitive.identity.verificationReports.retrieve(verified.last_verification_report as string, {
      expand: ['document.dob', 'document.number', 'document.expiration_date'],
    });
    expect(report.document).toMatchObject({
      status: 'verified',
      error: null,
      type: 'driving_license',
      issuing_country: 'US',
      first_name: 'JENNIFER ANN',
      last_name: 'SAMPLE',
      dob: { day: 14, month: 7, year: 1990 },
      number: 'S12345678',
      expiration_date: { day: 14, month: 7, year: 2030 },
    });
    expect(report.document!.files).toHaveLength(2);
  });

  it('ends requires_input with selfie_face_mismatch when Rekognition finds the selfie is someone else', async () => {
    textract.on(AnalyzeIDCommand).resolves(fixture('analyze-id-us-driving-licence'));
    // DetectFaces answers by what it was sent: the selfie, or the document's front.
    rekognition
      .on(DetectFacesCommand)
      .callsFake((input: { Image?: { Bytes?: Uint8Array } }) =>
        bytesOf(input.Image).equals(SELFIE) ? fixture('detect-faces-selfie') : fixture('detect-faces-document'),
      );
    rekognition.on(CompareFacesCommand).resolves(fixture('compare-faces-mismatch'));
    const session = await stripe.identity.verificationSessions.create({
      type: 'document',
      options: { document: { require_matching_selfie: true } },
    });
    const submitted = await submitOnPage(service.url, session.url!, {
      document_type: 'driving_license',
      document_front: FRONT,
      document_back: BACK,
      selfie: SELFIE,
    });
    expect(submitted.status, await submitted.clone().text()).toBe(200);

    const failed = await eventually(() => retrieve(session.id), expectStatus('requires_input'));
    expect(failed.last_error).toEqual({ code: 'selfie_face_mismatch', reason: expect.any(String) });
    // The reason names what failed, and nothing read from the document.
    expect(failed.last_error!.reason).not.toMatch(/JENNIFER|SAMPLE|S12345678/i);
    const [compared] = rekognition.commandCalls(CompareFacesCommand);
    expect([bytesOf(compared!.args[0].input.SourceImage), bytesOf(compared!.args[0].input.TargetImage)]).toEqual([FRONT, SELFIE]);

    const report = await sensitive.identity.verificationReports.retrieve(failed.last_verification_report as string);
    expect(report.document).toMatchObject({ status: 'verified' });
    expect(report.selfie).toMatchObject({ status: 'unverified', error: { code: 'selfie_face_mismatch' } });
  });
});

describe('a live id_number session', () => {
  const answer = (body: unknown) => ({
    StatusCode: 200,
    Payload: new TextEncoder().encode(JSON.stringify(body)) as InvokeCommandOutput['Payload'],
  });
  const person = { first_name: 'Jenny', last_name: 'Rosen', dob: { day: '14', month: '7', year: '1990' } };

  it(
    'asks the ID-number provider about the number the person typed, for the name and date of birth they typed, and verifies on its ' +
      'word',
    async () => {
      lambda.on(InvokeCommand).resolves(answer({ status: 'verified' }));
      const session = await stripe.identity.verificationSessions.create({ type: 'id_number' });
      const visit = await acceptOnPage(service.url, session.url!);
      const page = await (await fetch(`${service.url}${visit.path}`, { headers: { cookie: visit.cookie } })).text();
      expect(page).toContain('name="person_details[dob][year]"');

      // Without them, the page is told which field to fill in.
      const missing = await submitFromPage(visit, { id_number: '123-45-6789' });
      expect(missing.status).toBe(400);
      expect(((await missing.json()) as { error: unknown }).error).toMatchObject({
        param: 'person_details[first_name]',
        message: 'Enter your first name.',
      });
      const future = await submitFromPage(visit, {
        id_number: '123-45-6789',
        person_details: { ...person, dob: { day: '1', month: '1', year: '2999' } },
      });
      expect(((await future.json()) as { error: unknown }).error).toMatchObject({
        param: 'person_details[dob][year]',
        message: 'Your date of birth must be in the past.',
      });

      expect((await submitFromPage(visit, { id_number: '123-45-6789', person_details: person })).status).toBe(200);
      const verified = await eventually(() => retrieve(session.id), expectStatus('verified'));
      const [call, ...more] = lambda.commandCalls(InvokeCommand);
      expect(more).toEqual([]);
      expect(call!.args[0].input.FunctionName).toBe(PROVIDER_ARN);
      expect(JSON.parse(new TextDecoder().decode(call!.args[0].input.Payload as Uint8Array))).toEqual({
        id_number: { type: 'us_ssn', value: '123456789' },
        first_name: 'Jenny',
        last_name: 'Rosen',
        dob: { day: 14, month: 7, year: 1990 },
      });
      expect(textract.calls()).toEqual([]);
      // The report keeps the last four digits of the number (functions/domain/verification-report.ts).
      const report = await sensitive.identity.verificationReports.retrieve(verified.last_verification_report as string, {
        expand: ['id_number.dob', 'id_number.id_number'],
      });
      expect(report.id_number).toMatchObject({
        status: 'verified',
        first_name: 'Jenny',
        last_name: 'Rosen',
        dob: { day: 14, month: 7, year: 1990 },
        id_number: '6789',
      });
    },
  );

  it('ends requires_input with the code the provider gives', async () => {
    lambda.on(InvokeCommand).resolves(answer({ status: 'unverified', code: 'id_number_mismatch' }));
    const session = await stripe.identity.verificationSessions.create({ type: 'id_number' });
    expect((await submitOnPage(service.url, session.url!, { id_number: '6789', person_details: person })).status).toBe(200);
    const failed = await eventually(() => retrieve(session.id), expectStatus('requires_input'));
    expect(failed.last_error).toMatchObject({ code: 'id_number_mismatch' });
  });
});
