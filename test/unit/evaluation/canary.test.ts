/**
 * The evaluation canary's run (functions/schedules/evaluation-canary.ts) against
 * aws-sdk-client-mock: S3 holds the samples and the baseline an evaluation wrote, Textract and
 * Rekognition answer with the recorded AWS fixtures; a moved result is counted in the metric and
 * logged by row and kind, never with a value.
 */
import { CompareFacesCommand, DetectFacesCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { AnalyzeIDCommand, DetectDocumentTextCommand, TextractClient } from '@aws-sdk/client-textract';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIVE_CHECK_SETTINGS } from '../../../functions/checks/live/settings';
import { baselineRow, type Baseline } from '../../../functions/evaluation/baseline';
import { parseLabels, rowDigest } from '../../../functions/evaluation/labels';
import { evaluateRow } from '../../../functions/evaluation/run-row';
import { runCanary } from '../../../functions/schedules/evaluation-canary';
import { LABELS, sampleImage, type ImageName } from '../../support/evaluation-samples';

const fixture = (name: string): any => JSON.parse(readFileSync(new URL(`../../fixtures/aws/${name}.json`, import.meta.url), 'utf8'));
const s3 = mockClient(S3Client);
const textract = mockClient(TextractClient);
const rekognition = mockClient(RekognitionClient);
const clients = () => ({
  s3: new S3Client({ region: 'us-east-1' }),
  textract: new TextractClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
  rekognition: new RekognitionClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
});
const NOW = new Date('2026-12-07T06:00:00Z');
/** Two rows of the evaluation's samples: a genuine licence with a selfie, and the passport. */
const CANARY_LABELS = [LABELS.split('\n')[0], LABELS.split('\n')[1], LABELS.split('\n')[5]].join('\n');

let objects: Map<string, Uint8Array>;
const body = (bytes: Uint8Array) => ({ transformToByteArray: async () => bytes }) as any;

/** AWS answers as recorded: a licence (or the passport, for its image) and a selfie matching at `similarity`. */
function awsAnswers({
  similarity = 98.2,
  modelVersion = '1.0',
  firstName,
}: {
  similarity?: number;
  modelVersion?: string;
  firstName?: string;
} = {}) {
  textract.reset();
  rekognition.reset();
  const passport = Buffer.from(sampleImage('p-front.png')).toString('base64');
  textract.on(AnalyzeIDCommand).callsFake((input) => {
    const isPassport = Buffer.from(input.DocumentPages[0].Bytes).toString('base64') === passport;
    const answer = fixture(isPassport ? 'analyze-id-us-passport' : 'analyze-id-us-driving-licence');
    answer.AnalyzeIDModelVersion = modelVersion;
    // The licence's first name only (the passport's MRZ would disagree with another).
    if (firstName && !isPassport)
      for (const document of answer.IdentityDocuments)
        for (const field of document.IdentityDocumentFields) if (field.Type.Text === 'FIRST_NAME') field.ValueDetection.Text = firstName;
    return answer;
  });
  textract.on(DetectDocumentTextCommand).resolves(fixture('detect-document-text-us-passport'));
  const selfie = Buffer.from(sampleImage('a-selfie.png')).toString('base64');
  rekognition
    .on(DetectFacesCommand)
    .callsFake((input) =>
      fixture(Buffer.from(input.Image.Bytes).toString('base64') === selfie ? 'detect-faces-selfie' : 'detect-faces-document'),
    );
  rekognition.on(CompareFacesCommand).callsFake((input) => {
    const answer = fixture('compare-faces-match');
    answer.FaceMatches[0].Similarity = similarity;
    // As AWS: below SimilarityThreshold a face is left out of FaceMatches.
    if (similarity < (input.SimilarityThreshold ?? 80)) answer.FaceMatches = [];
    return answer;
  });
}

beforeEach(async () => {
  s3.reset();
  objects = new Map();
  for (const name of ['a-front.png', 'a-back.png', 'a-selfie.png', 'p-front.png'] as ImageName[])
    objects.set(`canary/${name}`, sampleImage(name));
  objects.set('canary/labels.csv', new TextEncoder().encode(CANARY_LABELS));
  // The baseline as `npx verity evaluate` writes it, from the same answers.
  awsAnswers();
  const rows = parseLabels(CANARY_LABELS);
  const baseline: Baseline = { version: 1, created: NOW.toISOString(), thresholds: DEFAULT_LIVE_CHECK_SETTINGS, rows: [] };
  for (const row of rows) {
    const images = {
      document_front: sampleImage(row.document_front as ImageName),
      document_back: row.document_back ? sampleImage(row.document_back as ImageName) : undefined,
      selfie: row.selfie ? sampleImage(row.selfie as ImageName) : undefined,
    };
    baseline.rows.push(
      baselineRow(
        rowDigest(row, images, 'images'),
        await evaluateRow({ ...clients(), settings: DEFAULT_LIVE_CHECK_SETTINGS, images, document_type: row.document_type, now: NOW }),
      ),
    );
  }
  objects.set('canary/canary-baseline.json', new TextEncoder().encode(JSON.stringify(baseline)));
  s3.on(GetObjectCommand).callsFake((input) => {
    const found = objects.get(input.Key);
    if (!found) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });
    return { Body: body(found) };
  });
});

async function canary(tolerance = 2) {
  const lines: string[] = [];
  const result = await runCanary({
    ...clients(),
    bucket: 'shop-verity-samples',
    prefix: 'canary/',
    tolerance,
    now: NOW,
    log: (line) => lines.push(line),
  });
  const metric = JSON.parse(lines.at(-1)!);
  return { result, lines, metric };
}

describe('the evaluation canary', () => {
  it('reports no change when AWS answers as at the baseline, in the metric its alarm watches', async () => {
    awsAnswers({ similarity: 97.1 }); // within the tolerance of 2
    const { result, metric, lines } = await canary();
    expect(result).toMatchObject({ rows: 2, changed: 0, drifts: [], modelVersions: ['1.0'] });
    expect(lines).toHaveLength(1);
    expect(metric).toMatchObject({
      ResultsChanged: 0,
      RowsChecked: 2,
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'Verity/Canary',
            Metrics: [
              { Name: 'ResultsChanged', Unit: 'Count' },
              { Name: 'RowsChecked', Unit: 'Count' },
            ],
          },
        ],
      },
    });
    // Read from the one prefix, never anything else; the images sent as bytes.
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input)).toContainEqual({
      Bucket: 'shop-verity-samples',
      Key: 'canary/a-selfie.png',
    });
    expect(s3.commandCalls(GetObjectCommand).every((call) => call.args[0].input.Key!.startsWith('canary/'))).toBe(true);
  });

  it('counts a field read differently, a similarity beyond the tolerance and a new model version, naming no value', async () => {
    awsAnswers({ similarity: 91.5, modelVersion: '2.0', firstName: 'JENIFER' });
    const { result, metric, lines } = await canary();
    expect(result.changed).toBe(2);
    expect(metric.ResultsChanged).toBe(2);
    expect(metric.model_versions).toEqual(['2.0']);
    expect(result.drifts).toEqual([
      { line: 2, kind: 'field', detail: 'first_name read differently' },
      { line: 2, kind: 'similarity', detail: '98.2 → 91.5 (tolerance 2)' },
      { line: 2, kind: 'model_version', detail: '1.0 → 2.0' },
      { line: 3, kind: 'model_version', detail: '1.0 → 2.0' },
    ]);
    expect(lines.join('\n')).not.toMatch(/JENIFER|JENNIFER|S12345678|1990/);
  });

  it('counts another verdict, and a sample with no baseline row', async () => {
    awsAnswers({ similarity: 62 });
    objects.set('canary/p-front.png', sampleImage('c-front.png'));
    const { result } = await canary();
    expect(result.changed).toBe(2);
    expect(result.drifts).toContainEqual({ line: 2, kind: 'verdict', detail: 'verified → selfie_face_mismatch' });
    expect(result.drifts).toContainEqual(expect.objectContaining({ line: 3, kind: 'no_baseline' }));
  });

  it("fails the run, for the function's error alarm, when the samples are not there", async () => {
    objects.delete('canary/canary-baseline.json');
    await expect(canary()).rejects.toThrow("The canary's samples have no canary/canary-baseline.json in s3://shop-verity-samples");
  });
});
