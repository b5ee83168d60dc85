/**
 * The live checks provider against aws-sdk-client-mock, with Textract and Rekognition answers in
 * the shapes AWS documents (API_AnalyzeID, API_DetectDocumentText, API_DetectFaces,
 * API_CompareFaces; fixtures in test/fixtures/aws/). Each written rule has a test that fails
 * without it, and the requests sent are asserted: the images pass through as the file store
 * gives them.
 */
import {
  CompareFacesCommand,
  DetectFacesCommand,
  InvalidParameterException as RekognitionInvalidParameter,
  RekognitionClient,
  ThrottlingException as RekognitionThrottling,
} from '@aws-sdk/client-rekognition';
import {
  AnalyzeIDCommand,
  BadDocumentException,
  DetectDocumentTextCommand,
  InternalServerError,
  InvalidS3ObjectException,
  TextractClient,
  ThrottlingException,
  UnsupportedDocumentException,
} from '@aws-sdk/client-textract';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { IdNumberAnswer, IdNumberProvider, IdNumberQuery } from '../../../../functions/checks/id-number';
import {
  createLiveChecks,
  DEFAULT_LIVE_CHECK_SETTINGS,
  ID_NUMBER_REASONS,
  type CheckImage,
  type LiveCheckSettings,
} from '../../../../functions/checks/live';
import { DOCUMENT_REASONS } from '../../../../functions/checks/live/document';
import { SELFIE_REASONS } from '../../../../functions/checks/live/selfie';
import { FAILURES, type ChecksOutcome, type Submission } from '../../../../functions/domain/verification-checks';
import { buildVerificationReport, verifiedOutputs } from '../../../../functions/domain/verification-report';
import { createVerificationSession, type CreateVerificationSessionInput } from '../../../../functions/domain/verification-session';
import type { Scope } from '../../../../functions/domain/scope';

/** A fixture as AWS's JSON (`any`: AWS documents `ValueType: "Date"` where the SDK's type says `"DATE"`). */
const fixture = (name: string): any => JSON.parse(readFileSync(new URL(`../../../fixtures/aws/${name}.json`, import.meta.url), 'utf8'));

const NOW = new Date('2026-11-30T12:00:00Z');
const SCOPE: Scope = { account: 'acct_live1', mode: 'live' };
const BUCKET = 'verity-uploads-123456789012';
const s3Image = (id: string): CheckImage => ({ S3Object: { Bucket: BUCKET, Name: `${SCOPE.account}/live/vs_1/${id}` } });
const FRONT = s3Image('file_front');
const BACK = s3Image('file_back');
const SELFIE = s3Image('file_selfie');

const textract = mockClient(TextractClient);
const rekognition = mockClient(RekognitionClient);
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Textract answers AnalyzeID with one fixture and DetectDocumentText (the MRZ read) with another, for every image. */
function textractReads(analyzeId: string, documentText: string) {
  textract.on(AnalyzeIDCommand).resolves(fixture(analyzeId));
  textract.on(DetectDocumentTextCommand).resolves(fixture(documentText));
}

/** Images by file id, as the file store would give them; `images` records what was asked. */
let stored: Record<string, CheckImage>;
let asked: { scope: Scope; id: string }[];

beforeEach(() => {
  textract.reset();
  rekognition.reset();
  stored = { file_front: FRONT, file_back: BACK, file_selfie: SELFIE };
  asked = [];
});

function provider(extra: { settings?: Partial<LiveCheckSettings>; idNumbers?: IdNumberProvider; now?: Date } = {}) {
  return createLiveChecks({
    textract: new TextractClient({ region: 'us-east-1', credentials }),
    rekognition: new RekognitionClient({ region: 'us-east-1', credentials }),
    images: async (scope, id) => {
      asked.push({ scope, id });
      return stored[id];
    },
    settings: { ...DEFAULT_LIVE_CHECK_SETTINGS, ...extra.settings },
    ...(extra.idNumbers && { idNumbers: extra.idNumbers }),
    now: () => extra.now ?? NOW,
  });
}

const session = (input: CreateVerificationSessionInput = { type: 'document' }) =>
  createVerificationSession(input, { id: 'vs_1', scope: SCOPE, now: new Date('2026-11-30T11:00:00Z') });
const submission = (extra: Partial<Submission> = {}): Submission => ({
  id: 'vsub_1',
  session: 'vs_1',
  created: 0,
  consent: 'given',
  document_type: 'driving_license',
  files: { document_front: 'file_front', document_back: 'file_back' },
  ...extra,
});
const run = (input?: CreateVerificationSessionInput, extra: Partial<Submission> = {}, deps: Parameters<typeof provider>[0] = {}) =>
  provider(deps).run(session(input), submission(extra));

/** The licence fixture with fields replaced (`null` removes one), as AnalyzeID would have read them. */
function licence(
  fields: Record<string, { Text: string; Confidence: number; NormalizedValue?: { Value: string; ValueType: string } } | null> = {},
) {
  const answer = fixture('analyze-id-us-driving-licence');
  for (const document of answer.IdentityDocuments) {
    document.IdentityDocumentFields = document.IdentityDocumentFields.flatMap((field: any) => {
      if (!(field.Type.Text in fields) || document.DocumentIndex !== 1) return [field];
      const value = fields[field.Type.Text];
      return value ? [{ Type: field.Type, ValueDetection: value }] : [];
    });
  }
  return answer;
}
const date = (iso: string, confidence = 98.5) => {
  const [year, month, day] = iso.split('-');
  return { Text: `${month}/${day}/${year}`, Confidence: confidence, NormalizedValue: { Value: `${iso}T00:00:00`, ValueType: 'Date' } };
};

/** What a failure's reason must never hold: values the fixtures' documents show. */
const READ_VALUES = ['JENNIFER', 'SAMPLE', 'MUSTERMANN', 'ERIKA', 'S12345678', '563941187', 'C01X00T47', '1990', '1964', '2030', 'BOSTON'];
function expectFailure(outcome: ChecksOutcome, code: keyof typeof FAILURES, reason?: string) {
  expect(outcome.failure?.code).toBe(code);
  if (reason) expect(outcome.failure?.reason).toBe(reason);
  for (const value of READ_VALUES) expect(outcome.failure?.reason.toUpperCase()).not.toContain(value);
}

describe('a US driving licence (AnalyzeID)', () => {
  it('verifies, with the fields mapped to the report and the verified outputs, from one AnalyzeID call on front and back', async () => {
    textract.on(AnalyzeIDCommand).resolves(fixture('analyze-id-us-driving-licence'));
    const verifying = session({ type: 'document', options: { document: { allowed_types: ['driving_license'] } } });
    const outcome = await provider().run(verifying, submission());

    expect(outcome.failure).toBeNull();
    expect(outcome.ran).toEqual(['document']);
    expect(outcome.person).toEqual({
      first_name: 'JENNIFER ANN',
      last_name: 'SAMPLE',
      dob: { day: 14, month: 7, year: 1990 },
      address: { line1: '24 BEACON ST', line2: null, city: 'BOSTON', state: 'MA', postal_code: '02108', country: 'US' },
      sex: null,
      unparsed_sex: null,
      unparsed_place_of_birth: null,
      document: {
        type: 'driving_license',
        number: 'S12345678',
        issuing_country: 'US',
        issued_date: { day: 14, month: 7, year: 2022 },
        expiration_date: { day: 14, month: 7, year: 2030 },
      },
      id_number: null,
    });
    // The images go to Textract as the file store gives them (S3 locations here), front then back.
    expect(textract.commandCalls(AnalyzeIDCommand).map((call) => call.args[0].input)).toEqual([{ DocumentPages: [FRONT, BACK] }]);
    // A US state's licence carries no MRZ: no DetectDocumentText is paid for.
    expect(textract.commandCalls(DetectDocumentTextCommand)).toHaveLength(0);
    expect(asked).toEqual([
      { scope: SCOPE, id: 'file_front' },
      { scope: SCOPE, id: 'file_back' },
    ]);

    const report = buildVerificationReport({ id: 'vr_1', now: NOW, session: verifying, submission: submission(), outcome });
    expect(report.document).toMatchObject({
      status: 'verified',
      error: null,
      type: 'driving_license',
      issuing_country: 'US',
      number: 'S12345678',
      files: ['file_front', 'file_back'],
    });
    expect(verifiedOutputs(verifying, outcome.person!)).toMatchObject({
      first_name: 'JENNIFER ANN',
      last_name: 'SAMPLE',
      dob: { day: 14, month: 7, year: 1990 },
      sex: null,
    });
  });

  it('sends a front alone as one page, and images held as bytes as Bytes', async () => {
    textract.on(AnalyzeIDCommand).resolves(fixture('analyze-id-us-driving-licence'));
    stored.file_front = { Bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xe0]) };
    const outcome = await run(undefined, { files: { document_front: 'file_front' } });
    expect(outcome.failure).toBeNull();
    expect(textract.commandCalls(AnalyzeIDCommand)[0]!.args[0].input).toEqual({
      DocumentPages: [{ Bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xe0]) }],
    });
  });

  it('reads a date of birth without a NormalizedValue from its text, month first (MM/DD/YYYY)', async () => {
    textract.on(AnalyzeIDCommand).resolves(licence({ DATE_OF_BIRTH: { Text: '02/03/1990', Confidence: 97 } }));
    expect((await run()).person?.dob).toEqual({ day: 3, month: 2, year: 1990 });
  });

  it.each([
    ['FIRST_NAME', DOCUMENT_REASONS.field.FIRST_NAME],
    ['LAST_NAME', DOCUMENT_REASONS.field.LAST_NAME],
    ['DATE_OF_BIRTH', DOCUMENT_REASONS.field.DATE_OF_BIRTH],
    ['DOCUMENT_NUMBER', DOCUMENT_REASONS.field.DOCUMENT_NUMBER],
    ['EXPIRATION_DATE', DOCUMENT_REASONS.field.EXPIRATION_DATE],
  ])('fails document_unverified_other when %s is missing', async (name, reason) => {
    textract.on(AnalyzeIDCommand).resolves(licence({ [name]: null }));
    const outcome = await run();
    expectFailure(outcome, 'document_unverified_other', reason);
    expect(outcome.ran).toEqual(['document']);
  });

  it(
    'fails document_unverified_other for a date of birth read below the confidence threshold, and verifies it with a lower ' + 'threshold',
    async () => {
      textract.on(AnalyzeIDCommand).resolves(licence({ DATE_OF_BIRTH: date('1990-07-14', 84.2) }));
      expectFailure(await run(), 'document_unverified_other', 'The date of birth could not be read clearly.');
      expect((await run(undefined, {}, { settings: { documentMinConfidence: 80 } })).failure).toBeNull();
    },
  );

  it('fails document_unverified_other for a date of birth that is no calendar date', async () => {
    textract.on(AnalyzeIDCommand).resolves(licence({ DATE_OF_BIRTH: { Text: '02/30/1990', Confidence: 99 } }));
    expectFailure(await run(), 'document_unverified_other', DOCUMENT_REASONS.field.DATE_OF_BIRTH);
  });

  it('leaves out an optional field read below the threshold', async () => {
    textract
      .on(AnalyzeIDCommand)
      .resolves(licence({ CITY_IN_ADDRESS: { Text: 'B0ST0N', Confidence: 40 }, DATE_OF_ISSUE: date('2022-07-14', 50) }));
    const outcome = await run();
    expect(outcome.failure).toBeNull();
    expect(outcome.person?.address?.city).toBeNull();
    expect(outcome.person?.document?.issued_date).toBeNull();
  });

  it('fails document_expired the day after the expiry date, and verifies on the expiry day itself (UTC)', async () => {
    textract.on(AnalyzeIDCommand).resolves(licence({ EXPIRATION_DATE: date('2026-11-29') }));
    const expired = await run();
    expectFailure(expired, 'document_expired', 'The document has expired.');
    expect(expired.ran).toEqual(['document']);

    textract.on(AnalyzeIDCommand).resolves(licence({ EXPIRATION_DATE: date('2026-11-30') }));
    expect((await run(undefined, {}, { now: new Date('2026-11-30T23:59:59Z') })).failure).toBeNull();
  });

  it('fails document_type_not_supported when the type read is not allowed, whatever the person picked', async () => {
    textract.on(AnalyzeIDCommand).resolves(fixture('analyze-id-us-driving-licence'));
    const input: CreateVerificationSessionInput = { type: 'document', options: { document: { allowed_types: ['passport', 'id_card'] } } };
    const outcome = await run(input, { document_type: 'id_card' });
    expectFailure(outcome, 'document_type_not_supported');
    const report = buildVerificationReport({ id: 'vr_1', now: NOW, session: session(input), submission: submission(), outcome });
    expect(report.document).toMatchObject({
      status: 'unverified',
      type: 'driving_license',
      error: { code: 'document_type_not_supported' },
      first_name: null,
      dob: null,
    });
  });

  it('keeps the person’s choice of type when AnalyzeID names none (a US state ID card)', async () => {
    textract.on(AnalyzeIDCommand).resolves(licence({ ID_TYPE: { Text: 'OTHER', Confidence: 88 } }));
    const outcome = await run({ type: 'document', options: { document: { allowed_types: ['id_card'] } } }, { document_type: 'id_card' });
    expect(outcome.failure).toBeNull();
    expect(outcome.person?.document?.type).toBe('id_card');
  });
});

describe('minimum age (calendar arithmetic)', () => {
  const born = (iso: string) => licence({ DATE_OF_BIRTH: date(iso) });

  it('fails under_supported_age the day before the 18th birthday and verifies on it', async () => {
    textract.on(AnalyzeIDCommand).resolves(born('2008-11-30'));
    expect((await run()).failure).toBeNull();
    textract.on(AnalyzeIDCommand).resolves(born('2008-12-01'));
    const young = await run();
    expectFailure(young, 'under_supported_age', 'The person must be at least 18 years old to be verified.');
    // A failure of the session itself: the report has no check sections.
    expect(young.ran).toEqual([]);
  });

  it('lets a 29 February birthday reach its age on 1 March in a year without 29 February', async () => {
    textract.on(AnalyzeIDCommand).resolves(born('2008-02-29'));
    expectFailure(await run(undefined, {}, { now: new Date('2026-02-28T23:00:00Z') }), 'under_supported_age');
    expect((await run(undefined, {}, { now: new Date('2026-03-01T00:00:00Z') })).failure).toBeNull();
  });

  it('follows the configured minimum age', async () => {
    textract.on(AnalyzeIDCommand).resolves(born('2006-06-01'));
    expect((await run()).failure).toBeNull();
    expectFailure(
      await run(undefined, {}, { settings: { minimumAge: 21 } }),
      'under_supported_age',
      'The person must be at least 21 years old to be verified.',
    );
  });
});

describe('passports and the machine-readable zone', () => {
  it('verifies a US passport whose MRZ agrees with AnalyzeID, with sex from the MRZ and the place of birth', async () => {
    textractReads('analyze-id-us-passport', 'detect-document-text-us-passport');
    const outcome = await run(undefined, { document_type: 'passport', files: { document_front: 'file_front' } });
    expect(outcome.failure).toBeNull();
    expect(outcome.person).toMatchObject({
      first_name: 'JENNIFER ANN',
      last_name: 'SAMPLE',
      dob: { day: 14, month: 7, year: 1990 },
      address: null,
      sex: 'female',
      unparsed_sex: 'F',
      unparsed_place_of_birth: 'MASSACHUSETTS, U.S.A.',
      document: {
        type: 'passport',
        number: '563941187',
        issuing_country: 'US',
        issued_date: { day: 2, month: 6, year: 2022 },
        expiration_date: { day: 1, month: 6, year: 2032 },
      },
    });
    expect(textract.commandCalls(DetectDocumentTextCommand).map((call) => call.args[0].input)).toEqual([{ Document: FRONT }]);
  });

  it.each([
    ['DOCUMENT_NUMBER', { Text: '563941188', Confidence: 99 }],
    ['DATE_OF_BIRTH', date('1990-07-15', 99)],
    ['EXPIRATION_DATE', date('2032-06-02', 99)],
    ['LAST_NAME', { Text: 'SIMPLE', Confidence: 99 }],
    ['FIRST_NAME', { Text: 'JANE', Confidence: 99 }],
  ])('fails document_unverified_other when the MRZ disagrees with AnalyzeID’s %s', async (name, value) => {
    const answer = fixture('analyze-id-us-passport');
    const field = answer.IdentityDocuments[0].IdentityDocumentFields.find((f: any) => f.Type.Text === name);
    field.ValueDetection = value;
    textract.on(AnalyzeIDCommand).resolves(answer);
    textract.on(DetectDocumentTextCommand).resolves(fixture('detect-document-text-us-passport'));
    expectFailure(await run(undefined, { document_type: 'passport' }), 'document_unverified_other', DOCUMENT_REASONS.mrzDisagrees);
  });

  it('verifies a non-US passport from its MRZ alone: names, date of birth, number, expiry, issuing country, sex', async () => {
    textractReads('analyze-id-non-us-passport', 'detect-document-text-non-us-passport');
    const outcome = await run(
      { type: 'document', options: { document: { allowed_types: ['passport'] } } },
      { document_type: 'passport', files: { document_front: 'file_front' } },
    );
    expect(outcome.failure).toBeNull();
    expect(outcome.person).toEqual({
      first_name: 'ERIKA',
      last_name: 'MUSTERMANN',
      dob: { day: 12, month: 8, year: 1964 },
      address: null,
      sex: 'female',
      unparsed_sex: 'F',
      unparsed_place_of_birth: null,
      document: {
        type: 'passport',
        number: 'C01X00T47',
        issuing_country: 'DE',
        issued_date: null,
        expiration_date: { day: 28, month: 2, year: 2031 },
      },
      id_number: null,
    });
  });

  it('reads a non-US passport’s MRZ even when the person picked another type, and holds it to allowed_types', async () => {
    textractReads('analyze-id-non-us-passport', 'detect-document-text-non-us-passport');
    expectFailure(
      await run({ type: 'document', options: { document: { allowed_types: ['driving_license'] } } }),
      'document_type_not_supported',
    );
  });

  it('fails a non-US passport whose MRZ is expired (two-digit years: expiry within 20 years ahead)', async () => {
    textractReads('analyze-id-non-us-passport', 'detect-document-text-non-us-passport');
    // 28 Feb 2031 is 4 years ahead of 2027 but in the past seen from 2032.
    expectFailure(await run(undefined, { document_type: 'passport' }, { now: new Date('2031-03-01T00:00:00Z') }), 'document_expired');
  });

  it('fails document_unverified_other when a check digit of the MRZ does not hold', async () => {
    textractReads('analyze-id-non-us-passport', 'detect-document-text-bad-check-digit');
    expectFailure(await run(undefined, { document_type: 'passport' }), 'document_unverified_other', DOCUMENT_REASONS.mrzCheckDigits);
  });

  it('fails document_unverified_other for a passport whose MRZ cannot be found', async () => {
    textractReads('analyze-id-non-us-passport', 'detect-document-text-id-card-front');
    expectFailure(
      await run(undefined, { document_type: 'passport', files: { document_front: 'file_front' } }),
      'document_unverified_other',
      DOCUMENT_REASONS.mrzUnreadable,
    );
  });

  it('sets the mrz_unreadable signal when the document was read but its MRZ was not (none found, or its check digits fail)', async () => {
    textractReads('analyze-id-non-us-passport', 'detect-document-text-id-card-front');
    const none = await run(undefined, { document_type: 'passport', files: { document_front: 'file_front' } });
    expect(none.signals).toEqual({ mrz_unreadable: true });
    textractReads('analyze-id-non-us-passport', 'detect-document-text-bad-check-digit');
    expect((await run(undefined, { document_type: 'passport' })).signals).toEqual({ mrz_unreadable: true });
    // A readable MRZ, or a US state's licence (no MRZ looked for): no signal.
    textractReads('analyze-id-non-us-passport', 'detect-document-text-non-us-passport');
    expect((await run(undefined, { document_type: 'passport' })).signals).toBeUndefined();
    textract.on(AnalyzeIDCommand).resolves(fixture('analyze-id-us-driving-licence'));
    expect((await run()).signals).toBeUndefined();
  });

  it('verifies a non-US ID card from the TD1 MRZ on its back (DetectDocumentText on the front, then the back)', async () => {
    textract.on(AnalyzeIDCommand).resolves(fixture('analyze-id-non-us-id-card'));
    textract.on(DetectDocumentTextCommand, { Document: FRONT }).resolves(fixture('detect-document-text-id-card-front'));
    textract.on(DetectDocumentTextCommand, { Document: BACK }).resolves(fixture('detect-document-text-id-card-back'));
    const outcome = await run(undefined, { document_type: 'id_card' });
    expect(outcome.failure).toBeNull();
    expect(outcome.person).toMatchObject({
      first_name: 'ERIKA',
      last_name: 'MUSTERMANN',
      dob: { day: 12, month: 8, year: 1983 },
      document: { type: 'id_card', number: 'T22000129', issuing_country: 'DE', expiration_date: { day: 31, month: 7, year: 2031 } },
    });
    expect(textract.commandCalls(DetectDocumentTextCommand).map((call) => call.args[0].input)).toEqual([
      { Document: FRONT },
      { Document: BACK },
    ]);
  });

  it(
    'fails a non-US ID card without a readable MRZ with the session-level country_not_supported, naming the documents ' + 'supported',
    async () => {
      textractReads('analyze-id-non-us-id-card', 'detect-document-text-id-card-front');
      const outcome = await run(undefined, { document_type: 'id_card' });
      expectFailure(outcome, 'country_not_supported', DOCUMENT_REASONS.countryNotSupported);
      expect(outcome.failure?.reason).toMatch(/passports of any country.*US driving licences, ID cards and passports/);
      expect(outcome.ran).toEqual([]);
    },
  );
});

describe('Textract errors', () => {
  it('throws on throttling, a 5xx or an S3 object Textract may not read, so the stream retries', async () => {
    for (const error of [
      new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }),
      new InternalServerError({ message: 'Internal error', $metadata: {} }),
      new InvalidS3ObjectException({ message: 'Unable to get object metadata from S3', $metadata: {} }),
    ]) {
      textract.on(AnalyzeIDCommand).rejects(error);
      await expect(run()).rejects.toBe(error);
    }
  });

  it('fails document_unverified_other for a document Textract cannot read', async () => {
    for (const error of [
      new BadDocumentException({ message: 'Unable to read the document', $metadata: {} }),
      new UnsupportedDocumentException({ message: 'The format of the input document is not supported', $metadata: {} }),
    ]) {
      textract.on(AnalyzeIDCommand).rejects(error);
      expectFailure(await run(), 'document_unverified_other', DOCUMENT_REASONS.unreadable);
    }
  });

  it('fails document_unverified_other, without calling Textract, for an image over 5 MB held as bytes or a missing one', async () => {
    stored.file_back = { Bytes: new Uint8Array(5 * 1024 * 1024 + 1) };
    expectFailure(await run(), 'document_unverified_other', DOCUMENT_REASONS.tooLarge);
    delete stored.file_front;
    expectFailure(await run(), 'document_unverified_other', DOCUMENT_REASONS.missingImage);
    expect(textract.commandCalls(AnalyzeIDCommand)).toHaveLength(0);
  });
});

describe('the selfie (Rekognition)', () => {
  const withSelfie: CreateVerificationSessionInput = { type: 'document', options: { document: { require_matching_selfie: true } } };
  const files = { document_front: 'file_front', document_back: 'file_back', selfie: 'file_selfie' };
  const runSelfie = (deps: Parameters<typeof provider>[0] = {}) => run(withSelfie, { files }, deps);
  const selfieFaces = (change: (face: any) => void) => {
    const answer = fixture('detect-faces-selfie');
    change(answer.FaceDetails[0]);
    return answer;
  };
  beforeEach(() => {
    textract.on(AnalyzeIDCommand).resolves(fixture('analyze-id-us-driving-licence'));
    rekognition.on(DetectFacesCommand, { Image: SELFIE }).resolves(fixture('detect-faces-selfie'));
    rekognition.on(DetectFacesCommand, { Image: FRONT }).resolves(fixture('detect-faces-document'));
    rekognition.on(CompareFacesCommand).resolves(fixture('compare-faces-match'));
  });

  it('verifies a selfie that matches the document’s face, asking for every attribute and every similarity', async () => {
    const outcome = await runSelfie();
    expect(outcome.failure).toBeNull();
    expect(outcome.ran).toEqual(['document', 'selfie']);
    expect(rekognition.commandCalls(DetectFacesCommand).map((call) => call.args[0].input)).toEqual([
      { Image: SELFIE, Attributes: ['ALL'] },
      { Image: FRONT, Attributes: ['DEFAULT'] },
    ]);
    // SimilarityThreshold 0: CompareFaces answers the similarity however low; the configured threshold is applied by Verity.
    expect(rekognition.commandCalls(CompareFacesCommand).map((call) => call.args[0].input)).toEqual([
      { SourceImage: FRONT, TargetImage: SELFIE, SimilarityThreshold: 0 },
    ]);
    expectFailure(await runSelfie({ settings: { faceMinSimilarity: 99.5 } }), 'selfie_face_mismatch');
  });

  it('reports CompareFaces’ Similarity as the face_similarity signal, below the threshold too, and none without a match', async () => {
    expect((await runSelfie()).signals).toEqual({ face_similarity: 99.3 });
    const weak = fixture('compare-faces-match');
    weak.FaceMatches[0].Similarity = 84.2;
    rekognition.on(CompareFacesCommand).resolves(weak);
    const below = await runSelfie();
    expectFailure(below, 'selfie_face_mismatch');
    expect(below.signals).toEqual({ face_similarity: 84.2 });
    rekognition.on(CompareFacesCommand).resolves(fixture('compare-faces-mismatch'));
    expect((await runSelfie()).signals).toBeUndefined();
  });

  it('a Face Liveness reference image is compared like a selfie, and gives the face_similarity signal', async () => {
    const reference: CheckImage = { Bytes: new Uint8Array([0xff, 0xd8, 0xff]) };
    rekognition.on(DetectFacesCommand, { Image: reference }).resolves(fixture('detect-faces-selfie'));
    const outcome = await provider().run(session(withSelfie), submission({ files: { document_front: 'file_front' } }), {
      image: reference,
    });
    expect(outcome.failure).toBeNull();
    expect(outcome.signals).toEqual({ face_similarity: 99.3 });
  });

  it('fails selfie_unverified_other for a selfie with two faces, or none', async () => {
    rekognition.on(DetectFacesCommand, { Image: SELFIE }).resolves(fixture('detect-faces-selfie-two-faces'));
    expectFailure(await runSelfie(), 'selfie_unverified_other', SELFIE_REASONS.manyFaces);
    rekognition.on(DetectFacesCommand, { Image: SELFIE }).resolves(fixture('detect-faces-none'));
    expectFailure(await runSelfie(), 'selfie_unverified_other', SELFIE_REASONS.noFace);
  });

  it.each([
    ['sunglasses', 'Sunglasses', { Value: true }, SELFIE_REASONS.sunglasses],
    ['closed eyes', 'EyesOpen', { Value: false }, SELFIE_REASONS.eyesClosed],
    ['a covered face', 'FaceOccluded', { Value: true }, SELFIE_REASONS.occluded],
    ['too little brightness', 'Quality', { Brightness: 39.9 }, SELFIE_REASONS.dark],
    ['too little sharpness', 'Quality', { Sharpness: 12.5 }, SELFIE_REASONS.blurry],
  ])('fails selfie_unverified_other for %s', async (_, attribute, value, reason) => {
    const change = (face: any) => Object.assign(face[attribute], value);
    rekognition.on(DetectFacesCommand, { Image: SELFIE }).resolves(selfieFaces(change));
    const outcome = await runSelfie();
    expectFailure(outcome, 'selfie_unverified_other', reason);
    expect(rekognition.commandCalls(CompareFacesCommand)).toHaveLength(0);
  });

  it('follows the configured brightness and sharpness thresholds', async () => {
    rekognition
      .on(DetectFacesCommand, { Image: SELFIE })
      .resolves(selfieFaces((face) => Object.assign(face.Quality, { Brightness: 30, Sharpness: 30 })));
    expect((await runSelfie({ settings: { selfieMinBrightness: 25, selfieMinSharpness: 25 } })).failure).toBeNull();
    expectFailure(
      await runSelfie({ settings: { selfieMinBrightness: 25, selfieMinSharpness: 35 } }),
      'selfie_unverified_other',
      SELFIE_REASONS.blurry,
    );
  });

  it('fails selfie_document_missing_photo for a document without a face, found by DetectFaces or refused by CompareFaces', async () => {
    rekognition.on(DetectFacesCommand, { Image: FRONT }).resolves(fixture('detect-faces-none'));
    expectFailure(await runSelfie(), 'selfie_document_missing_photo', SELFIE_REASONS.documentNoFace);
    expect(rekognition.commandCalls(CompareFacesCommand)).toHaveLength(0);

    rekognition.on(DetectFacesCommand, { Image: FRONT }).resolves(fixture('detect-faces-document'));
    rekognition
      .on(CompareFacesCommand)
      .rejects(new RekognitionInvalidParameter({ message: 'There are no faces in the source image', $metadata: {} }));
    expectFailure(await runSelfie(), 'selfie_document_missing_photo');
  });

  it('fails selfie_face_mismatch when no face matches at the threshold, even if Rekognition answers a weaker match', async () => {
    rekognition.on(CompareFacesCommand).resolves(fixture('compare-faces-mismatch'));
    const outcome = await runSelfie();
    expectFailure(outcome, 'selfie_face_mismatch', SELFIE_REASONS.mismatch);
    expect(outcome.person?.last_name).toBe('SAMPLE'); // the document check passed and reports what it read

    const weak = fixture('compare-faces-match');
    weak.FaceMatches[0].Similarity = 89.9;
    rekognition.on(CompareFacesCommand).resolves(weak);
    expectFailure(await runSelfie(), 'selfie_face_mismatch');
  });

  it('throws on Rekognition throttling, and fails selfie_unverified_other for a selfie over 5 MB held as bytes', async () => {
    const throttled = new RekognitionThrottling({ message: 'Slow down', $metadata: {} });
    rekognition.on(DetectFacesCommand).rejects(throttled);
    await expect(runSelfie()).rejects.toBe(throttled);

    stored.file_selfie = { Bytes: new Uint8Array(5 * 1024 * 1024 + 1) };
    expectFailure(await runSelfie(), 'selfie_unverified_other', SELFIE_REASONS.tooLarge);
  });

  it('spends no Rekognition call on a document that failed', async () => {
    textract.on(AnalyzeIDCommand).resolves(licence({ EXPIRATION_DATE: date('2020-01-01') }));
    expectFailure(await runSelfie(), 'document_expired');
    expect(rekognition.calls()).toHaveLength(0);
  });
});

describe('the ID number (the business’s provider)', () => {
  const queries: IdNumberQuery[] = [];
  const answering = (answer: IdNumberAnswer): IdNumberProvider => ({
    check: async (query) => {
      queries.push(query);
      return answer;
    },
  });
  beforeEach(() => {
    queries.length = 0;
    textract.on(AnalyzeIDCommand).resolves(fixture('analyze-id-us-driving-licence'));
  });
  const withIdNumber: CreateVerificationSessionInput = { type: 'document', options: { document: { require_id_number: true } } };

  it('verifies when the provider does, asked with the document’s name and date of birth', async () => {
    const outcome = await run(withIdNumber, { id_number: '123-45-6789' }, { idNumbers: answering({ status: 'verified' }) });
    expect(outcome.failure).toBeNull();
    expect(outcome.ran).toEqual(['document', 'id_number']);
    expect(queries).toEqual([
      {
        id_number: { type: 'us_ssn', value: '123-45-6789' },
        first_name: 'JENNIFER ANN',
        last_name: 'SAMPLE',
        dob: { day: 14, month: 7, year: 1990 },
      },
    ]);
    expect(outcome.person?.id_number).toEqual({ value: '123-45-6789', type: 'us_ssn' });
  });

  it('fails with the provider’s code when it does not verify', async () => {
    const outcome = await run(
      withIdNumber,
      { id_number: '123456789' },
      { idNumbers: answering({ status: 'unverified', code: 'id_number_mismatch' }) },
    );
    expectFailure(outcome, 'id_number_mismatch', FAILURES.id_number_mismatch.reason);
  });

  it('never verifies without a provider', async () => {
    expectFailure(await run(withIdNumber, { id_number: '123456789' }), 'id_number_unverified_other', ID_NUMBER_REASONS.noProvider);
    expectFailure(
      await run(
        { type: 'id_number' },
        {
          files: {},
          id_number: '123456789',
          person_details: { first_name: 'Jenny', last_name: 'Rosen', dob: { day: 1, month: 2, year: 1980 } },
        },
      ),
      'id_number_unverified_other',
      ID_NUMBER_REASONS.noProvider,
    );
  });

  it('asks about what the person typed in an id_number session, reading no document', async () => {
    const details = { first_name: 'Jenny', last_name: 'Rosen', dob: { day: 1, month: 2, year: 1980 } };
    const idSession = session({ type: 'id_number' });
    const outcome = await provider({ idNumbers: answering({ status: 'verified' }) }).run(
      idSession,
      submission({ files: {}, document_type: undefined, id_number: '123456789', person_details: details }),
    );
    expect(outcome.failure).toBeNull();
    expect(outcome.ran).toEqual(['id_number']);
    expect(queries).toEqual([{ id_number: { type: 'us_ssn', value: '123456789' }, ...details }]);
    expect(textract.calls()).toHaveLength(0);
    const report = buildVerificationReport({ id: 'vr_1', now: NOW, session: idSession, submission: { files: {} }, outcome });
    expect(report.id_number).toMatchObject({
      status: 'verified',
      first_name: 'Jenny',
      last_name: 'Rosen',
      id_number: '6789',
      id_number_type: 'us_ssn',
    });
    expect(verifiedOutputs(idSession, outcome.person!)).toMatchObject({ first_name: 'Jenny', address: null, sex: null, id_number: '6789' });
  });

  it(
    'fails id_number_unverified_other when an id_number session lacks the name and date of birth, and rejects when the provider ' + 'does',
    async () => {
      expectFailure(
        await run({ type: 'id_number' }, { files: {}, id_number: '123456789' }, { idNumbers: answering({ status: 'verified' }) }),
        'id_number_unverified_other',
        ID_NUMBER_REASONS.noPersonDetails,
      );
      expect(queries).toHaveLength(0);
      const failing: IdNumberProvider = { check: () => Promise.reject(new Error('provider timed out')) };
      await expect(run(withIdNumber, { id_number: '123456789' }, { idNumbers: failing })).rejects.toThrow('provider timed out');
    },
  );
});

it('a declined consent runs no check and calls no service', async () => {
  const outcome = await run(undefined, { consent: 'declined' });
  expect(outcome).toEqual({ ran: [], failure: { code: 'consent_declined', reason: FAILURES.consent_declined.reason }, person: null });
  expect(textract.calls()).toHaveLength(0);
});
