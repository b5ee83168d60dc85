/**
 * The evaluation run in process (local/evaluate.ts, what `npm run evaluate` calls), with the SDK's
 * Textract and Rekognition clients sent to the AWS stand-in on 127.0.0.1 through
 * AWS_ENDPOINT_URL_TEXTRACT and AWS_ENDPOINT_URL_REKOGNITION: the report's figures, resumption
 * without paying twice, and every refusal before any AWS call.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { OperatorError } from '../../../local/data-dir';
import { runEvaluation, type EvaluationOptions } from '../../../local/evaluate';
import { startAwsStandIn, type StandIn } from '../../support/aws-stand-in';
import { CALLS, imageKey, scriptStandIn, writeSamples } from '../../support/evaluation-samples';

let standIn: StandIn;
const root = mkdtempSync(join(tmpdir(), 'verity-evaluate-run-'));
let env: Record<string, string>;

beforeAll(async () => {
  standIn = await startAwsStandIn();
});
afterAll(async () => {
  await standIn.close();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  scriptStandIn(standIn);
  env = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'stand-in-secret',
    AWS_ENDPOINT_URL_TEXTRACT: standIn.url,
    AWS_ENDPOINT_URL_REKOGNITION: standIn.url,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(root, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(root, 'no-credentials'),
  };
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL']) vi.stubEnv(name, undefined);
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return () => vi.unstubAllEnvs();
});

let folders = 0;
const samples = (labels?: string) => writeSamples(join(root, `samples-${++folders}`), labels);

async function evaluate(samplesDir: string, extra: Partial<EvaluationOptions> = {}) {
  const before = standIn.calls.length;
  const lines: string[] = [];
  const report = await runEvaluation({
    samples: samplesDir,
    thresholds: {},
    includeValues: false,
    confirm: async () => true,
    log: (line) => lines.push(line),
    progress: () => {},
    env: process.env,
    ...extra,
  });
  return { report, lines, calls: standIn.calls.length - before };
}

describe('the evaluation run', () => {
  it(
    'measures the rates per type and country, the fields, the similarities (below the threshold too) and the model version, and names ' +
      'no value',
    async () => {
      const dir = samples();
      const { report, calls } = await evaluate(dir);
      expect(calls).toBe(CALLS.all);
      expect(report.false_accept_rate).toMatchObject({ rate: 0.5, errors: 1, count: 2 });
      expect(report.false_reject_rate).toMatchObject({ errors: 1, count: 3 });
      expect(report.interval).toMatch(/Wilson/);
      expect(report.by_document_type.driving_license!.false_accept_rate).toMatchObject({ errors: 1, count: 2 });
      expect(report.by_document_type.driving_license!.false_reject_rate).toMatchObject({ errors: 1, count: 2 });
      expect(report.by_document_type.passport!.false_reject_rate).toMatchObject({ errors: 0, count: 1 });
      expect(report.by_country.US!.false_accept_rate.count).toBe(2);
      expect(report.failure_codes).toEqual({
        expected_verified: { verified: 2, selfie_face_mismatch: 1 },
        expected_unverified: { selfie_face_mismatch: 1, verified: 1 },
      });
      expect(report.field_accuracy.first_name).toMatchObject({ compared: 1, correct: 1 });
      expect(report.field_accuracy.document_number).toMatchObject({ compared: 2, correct: 1, rate: 0.5 });
      expect(report.field_accuracy.first_name).toMatchObject({ rate: 1 });
      expect(report.field_accuracy.first_name).not.toHaveProperty('errors');
      // The impostor at 60 is below the threshold, yet its score is known: CompareFaces was asked with 0.
      expect(report.face_similarity.impostor).toMatchObject({ count: 2, min: 60, max: 93 });
      expect(report.face_similarity.genuine).toMatchObject({ count: 2, min: 85, max: 98 });
      expect(report.face_similarity.suggested_thresholds[0]).toMatchObject({
        target_false_accept_rate: 0.1,
        threshold: 93.01,
        below_resolution: true,
      });
      expect(report.face_similarity.suggested_thresholds[0]!.false_reject_rate).toMatchObject({ errors: 1, count: 2 });
      expect(report.analyze_id_model_versions).toEqual(['1.0']);
      expect(report.liveness).toMatch(/not measured/);
      expect(report.region).toBe('us-east-1');

      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      expect(html).toContain('<svg');
      expect(html).not.toMatch(/<script|https?:\/\//);
      for (const file of ['report.json', 'report.html', 'canary-baseline.json']) {
        const text = readFileSync(join(dir, file), 'utf8').toUpperCase();
        for (const value of ['JENNIFER', 'S12345678', '1990-07-14', '563941187', 'IVBORW0KGGO' /* a PNG in base64 */])
          expect(text).not.toContain(value);
      }
      const withValues = await evaluate(dir, { includeValues: true });
      expect(withValues.calls).toBe(0);
      expect(withValues.report.row_results[0]!.read).toMatchObject({ first_name: 'JENNIFER ANN', document_number: 'S12345678' });
    },
  );

  it('resumes an interrupted run without paying twice, and checks again when a threshold changes', async () => {
    const dir = samples();
    standIn.images.set(imageKey('c-front.png'), { error: 'AccessDeniedException' });
    await expect(evaluate(dir)).rejects.toThrow(
      /^stopped at labels.csv line 4: AccessDeniedException: .*2 rows checked this run are kept\)$/,
    );
    expect(readdirSync(join(dir, '.evaluate')).filter((name) => name.endsWith('.json'))).toHaveLength(2);

    scriptStandIn(standIn);
    const resumed = await evaluate(dir);
    expect(resumed.lines[0]).toMatch(/^3 of 5 rows to check .* \(2 already checked, kept in \.evaluate\/\)/);
    expect(resumed.calls).toBe(2 * CALLS.licence + CALLS.passport);
    expect((await evaluate(dir)).calls).toBe(0);

    const stricter = await evaluate(dir, { thresholds: { 'face-min-similarity': '95' } });
    expect(stricter.calls).toBe(CALLS.all);
    expect(stricter.report.thresholds.faceMinSimilarity).toBe(95);
    expect(stricter.report.false_accept_rate).toMatchObject({ errors: 0, count: 2 });
  });

  it('refuses each mistake in one line before any AWS call', async () => {
    const header = 'document_front,document_back,selfie,expected';
    const good = samples();
    const linked = samples(`${header}\nlink.png,,,verified\n`);
    symlinkSync(join(good, 'a-front.png'), join(linked, 'link.png'));
    const gif = samples(`${header}\nfront.gif,,,verified\n`);
    writeFileSync(join(gif, 'front.gif'), Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'));

    const cases: [string, () => Promise<unknown>, RegExp, Record<string, string | undefined>?][] = [
      [
        'a wrong header',
        () => evaluate(samples('front,back,selfie,expected\na-front.png,,,verified\n')),
        /^labels.csv: the header must begin document_front,document_back,selfie,expected, not "front,back,selfie,expected"$/,
      ],
      [
        'a path that does not exist',
        () => evaluate(samples(`${header}\nnone.png,,,verified\n`)),
        /^labels.csv line 2: document_front none.png does not exist$/,
      ],
      [
        'a path that leaves the folder',
        () => evaluate(samples(`${header}\n../samples-1/a-front.png,,,verified\n`)),
        /^labels.csv line 2: document_front leaves the samples folder: "..\/samples-1\/a-front.png"$/,
      ],
      [
        'an absolute path',
        () => evaluate(samples(`${header}\n/etc/passwd,,,verified\n`)),
        /^labels.csv line 2: document_front must be relative to the samples folder, not "\/etc\/passwd"$/,
      ],
      [
        'a link that leaves the folder',
        () => evaluate(linked),
        /^labels.csv line 2: document_front link.png leaves the samples folder \(through a link\)$/,
      ],
      ['an unsupported image', () => evaluate(gif), /^labels.csv line 2: document_front front.gif is not a JPEG or PNG image/],
      [
        'a label that is neither',
        () => evaluate(samples(`${header}\na-front.png,,,yes\n`)),
        /^labels.csv line 2: expected must be verified or unverified, not "yes"$/,
      ],
      [
        'a row with a cell too many',
        () => evaluate(samples(`${header}\na-front.png,,,verified,extra\n`)),
        /^labels.csv line 2: 5 cells where the header has 4$/,
      ],
      ['no folder', () => evaluate(join(root, 'nowhere')), /^no folder .*nowhere$/],
      [
        'a threshold out of range',
        () => evaluate(good, { thresholds: { 'face-min-similarity': '120' } }),
        /^--face-min-similarity must be a number from 0 to 100, not "120"\.$/,
      ],
      [
        'missing credentials',
        () => evaluate(good),
        /^needs AWS credentials/,
        { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
      ],
      [
        'a region without Textract',
        () => evaluate(good),
        /^Amazon Textract is not offered in ap-northeast-1: set AWS_REGION to one of us-east-1, /,
        { AWS_REGION: 'ap-northeast-1', AWS_ENDPOINT_URL_TEXTRACT: undefined },
      ],
      ['no confirmation', () => evaluate(good, { confirm: async () => false }), /^not confirmed: nothing was sent to AWS/],
    ];
    const before = standIn.calls.length;
    for (const [name, run, message, changed = {}] of cases) {
      for (const [variable, value] of Object.entries(changed)) vi.stubEnv(variable, value);
      const error = await run().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error, name).toBeInstanceOf(OperatorError);
      expect((error as Error).message, name).toMatch(message);
      expect((error as Error).message, name).not.toContain('\n');
      for (const variable of Object.keys(changed)) vi.stubEnv(variable, env[variable]);
    }
    expect(standIn.calls.length).toBe(before);
  });
});
