/**
 * The evaluation canary, run once a day by its schedule (lib/canary.ts): the adopter's own known
 * samples (a labels.csv, its images and the canary-baseline.json that `npx verity evaluate` wrote
 * for them, under one S3 prefix) through the same checks as production (functions/evaluation/
 * run-row.ts), compared with the baseline. Nothing a business sees: no session, no event, no
 * table; it reads the prefix and calls Textract and Rekognition, nothing else.
 *
 * A result that moved (another verdict, a field read differently, a similarity more than the
 * tolerance away, another AnalyzeIDModelVersion) is logged by row line and kind, never with a
 * value, and counted in the CloudWatch metric `Verity/Canary ResultsChanged` (embedded metric
 * format), on which an alarm notifies the alarm topic. A run that cannot finish (the prefix
 * unreadable, AWS refusing) throws: the function's Errors alarm says so.
 */
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { TextractClient } from '@aws-sdk/client-textract';
import { BASELINE_FILE, drifts, type Baseline, type Drift } from '../evaluation/baseline';
import { checkImages, parseLabels, rowDigest, type RowImages } from '../evaluation/labels';
import { evaluateRow } from '../evaluation/run-row';

export const CANARY_ENV = {
  bucket: 'VERITY_CANARY_BUCKET',
  prefix: 'VERITY_CANARY_PREFIX',
  tolerance: 'VERITY_CANARY_SIMILARITY_TOLERANCE',
} as const;
/** Similarity points (0–100) a face match may move before it counts as changed, unless set. */
export const DEFAULT_SIMILARITY_TOLERANCE = 2;
/** The most rows a run checks: about $0.05 each at list prices (docs/reference/live-checks.md), so at most about $1 a day. */
export const MAX_CANARY_ROWS = 20;
export const CANARY_NAMESPACE = 'Verity/Canary';

export interface CanaryDeps {
  s3: S3Client;
  textract: TextractClient;
  rekognition: RekognitionClient;
  bucket: string;
  /** The key prefix the samples are under, `""` or ending in `/`. */
  prefix: string;
  tolerance: number;
  now?: Date;
  log?: (line: string) => void;
}

export interface CanaryResult {
  rows: number;
  /** Rows with at least one drift. */
  changed: number;
  modelVersions: string[];
  drifts: Drift[];
}

/**
 * Runs the samples and compares. @throws Error when labels.csv, the baseline or an image cannot
 * be read or is not what `npx verity evaluate` writes, and what the AWS SDK throws.
 */
export async function runCanary(deps: CanaryDeps): Promise<CanaryResult> {
  const log = deps.log ?? ((line: string) => console.log(line));
  const read = async (key: string) => {
    try {
      const { Body } = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: `${deps.prefix}${key}` }));
      return await Body!.transformToByteArray();
    } catch (error) {
      if (error instanceof NoSuchKey || (error as Error).name === 'NoSuchKey')
        throw new Error(`The canary's samples have no ${deps.prefix}${key} in s3://${deps.bucket}`);
      throw error;
    }
  };
  const text = async (key: string) => new TextDecoder().decode(await read(key));
  const rows = parseLabels(await text('labels.csv'));
  const baseline = JSON.parse(await text(BASELINE_FILE)) as Baseline;
  if (baseline.version !== 1 || !Array.isArray(baseline.rows)) throw new Error(`${BASELINE_FILE} is not one npx verity evaluate wrote`);
  if (rows.length > MAX_CANARY_ROWS)
    throw new Error(`The canary checks at most ${MAX_CANARY_ROWS} rows a day; labels.csv has ${rows.length}`);

  const found: Drift[] = [];
  const versions = new Set<string>();
  let changed = 0;
  for (const row of rows) {
    const image = async (column: 'document_front' | 'document_back' | 'selfie') => (row[column] ? read(row[column]!) : undefined);
    const images: RowImages = {
      document_front: (await image('document_front'))!,
      document_back: await image('document_back'),
      selfie: await image('selfie'),
    };
    checkImages(row, images);
    const digest = rowDigest(row, images, 'images');
    const result = await evaluateRow({
      textract: deps.textract,
      rekognition: deps.rekognition,
      settings: baseline.thresholds,
      images,
      document_type: row.document_type,
      ...(deps.now && { now: deps.now }),
    });
    if (result.model_version) versions.add(result.model_version);
    const moved = drifts(
      row.line,
      baseline.rows.find((entry) => entry.images === digest),
      result,
      deps.tolerance,
    );
    if (moved.length) changed++;
    found.push(...moved);
  }
  for (const drift of found) log(JSON.stringify({ message: 'canary result changed', ...drift }));
  // Embedded metric format (CloudWatch User Guide, "Specification: Embedded metric format"): the log line is the metric.
  log(
    JSON.stringify({
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: CANARY_NAMESPACE,
            Dimensions: [[]],
            Metrics: [
              { Name: 'ResultsChanged', Unit: 'Count' },
              { Name: 'RowsChecked', Unit: 'Count' },
            ],
          },
        ],
      },
      ResultsChanged: changed,
      RowsChecked: rows.length,
      model_versions: [...versions].sort(),
    }),
  );
  return { rows: rows.length, changed, modelVersions: [...versions].sort(), drifts: found };
}

let clients: Pick<CanaryDeps, 's3' | 'textract' | 'rekognition'> | undefined;

export async function handler(): Promise<{ rows: number; changed: number }> {
  clients ??= { s3: new S3Client({}), textract: new TextractClient({}), rekognition: new RekognitionClient({}) };
  const raw = process.env[CANARY_ENV.tolerance];
  const result = await runCanary({
    ...clients,
    bucket: process.env[CANARY_ENV.bucket]!,
    prefix: process.env[CANARY_ENV.prefix] ?? '',
    tolerance: raw ? Number(raw) : DEFAULT_SIMILARITY_TOLERANCE,
  });
  return { rows: result.rows, changed: result.changed };
}
