/**
 * The evaluation as `npm run evaluate` (bin/evaluate.ts) runs it, apart from its command line: an
 * adopter's labelled samples through the live checks in their own AWS account, to SAMPLES_DIR's
 * report.json, report.html and canary-baseline.json (functions/evaluation/; docs/reference/evaluation.md).
 *
 * Everything that can be checked before paying is: the labels, every path and image, the
 * thresholds, the region and the credentials; then the cost is shown and confirmed. Each row's
 * result is kept in SAMPLES_DIR/.evaluate/ as it comes, keyed by the row's image digests and the
 * thresholds, so an interrupted run resumes where it stopped and pays for no row twice.
 * Mistakes are OperatorErrors: one line.
 */
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { TextractClient } from '@aws-sdk/client-textract';
import { mkdir, readFile, realpath, rename, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { LIVE_CHECK_ENV, liveCheckSettings, type LiveCheckSettings } from '../functions/checks/live/settings';
import { baselineRow, BASELINE_FILE, type Baseline } from '../functions/evaluation/baseline';
import { rowCostUsd, TEXTRACT_REGIONS } from '../functions/evaluation/cost';
import { checkImages, parseLabels, rowDigest, SamplesError, type LabelRow, type RowImages } from '../functions/evaluation/labels';
import { buildReport, renderHtml, type EvaluationReport } from '../functions/evaluation/report';
import { evaluateRow, type RowResult } from '../functions/evaluation/run-row';
import { OperatorError } from './data-dir';
import { awsIdentity } from './live-checks';

/** The options that set a threshold, and the setting each sets. */
export const THRESHOLD_OPTIONS: Record<string, keyof LiveCheckSettings> = {
  'face-min-similarity': 'faceMinSimilarity',
  'document-min-confidence': 'documentMinConfidence',
  'min-age': 'minimumAge',
  'selfie-min-brightness': 'selfieMinBrightness',
  'selfie-min-sharpness': 'selfieMinSharpness',
};

/** Bumped when a cached result's shape or meaning changes, so old results are not reused. */
const CACHE_VERSION = 'evaluate-1';

/** Errors that say AWS does not know or trust the caller: no row can succeed, so the run stops with this advice. */
const CREDENTIAL_ERRORS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'CredentialsProviderError',
]);

export interface EvaluationOptions {
  /** SAMPLES_DIR as given. */
  samples: string;
  /** Threshold options by name (THRESHOLD_OPTIONS), as typed. */
  thresholds: Record<string, string | undefined>;
  includeValues: boolean;
  /** Asks to go ahead after the cost is shown; `--yes` answers true. */
  confirm: () => Promise<boolean>;
  log: (line: string) => void;
  /** Progress, overwritten in place. */
  progress: (text: string) => void;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs the evaluation. @throws OperatorError for every mistake in the samples, the options or the
 * AWS setup (before any AWS call), a run not confirmed, and an AWS error that stops the run.
 */
export async function runEvaluation(options: EvaluationOptions): Promise<EvaluationReport> {
  const env = options.env ?? process.env;
  const { log } = options;
  const dir = await folder(options.samples);
  const thresholds = settingsFrom(options.thresholds, env);
  const rows = await loadRows(dir);

  const salt = `${CACHE_VERSION}\0${JSON.stringify(thresholds)}`;
  const cacheDir = join(dir, '.evaluate');
  const work = await Promise.all(
    rows.map(async ({ row, images }) => {
      const key = rowDigest(row, images, salt);
      return { row, images, key, cached: await readCached(join(cacheDir, `${key}.json`)) };
    }),
  );
  const todo = work.filter((item) => !item.cached);

  let region: string | null = null;
  if (todo.length) {
    const aws = await awsIdentity(env);
    if ('missing' in aws) throw new OperatorError(`needs ${aws.missing}`);
    if (!TEXTRACT_REGIONS.includes(aws.region) && !env.AWS_ENDPOINT_URL_TEXTRACT && !env.AWS_ENDPOINT_URL) {
      throw new OperatorError(`Amazon Textract is not offered in ${aws.region}: set AWS_REGION to one of ${TEXTRACT_REGIONS.join(', ')}`);
    }
    region = aws.region;
    const cost = todo.reduce(
      (sum, item) => sum + rowCostUsd({ pages: item.images.document_back ? 2 : 1, selfie: Boolean(item.images.selfie) }),
      0,
    );
    const reused = work.length - todo.length;
    log(
      `${todo.length} of ${work.length} rows to check with Textract and Rekognition ` +
        `in ${aws.region}${reused ? ` (${reused} already checked, kept in .evaluate/)` : ''}: ` +
        `at most $${cost.toFixed(2)} at us-east-1 list prices.`,
    );
    if (!(await options.confirm())) throw new OperatorError('not confirmed: nothing was sent to AWS (add --yes to skip the question)');

    await mkdir(cacheDir, { recursive: true });
    const clients = {
      textract: new TextractClient({ region: aws.region, credentials: aws.credentials }),
      rekognition: new RekognitionClient({ region: aws.region, credentials: aws.credentials }),
    };
    const now = new Date();
    let done = 0;
    for (const item of todo) {
      let result: RowResult;
      try {
        result = await evaluateRow({ ...clients, settings: thresholds, images: item.images, document_type: item.row.document_type, now });
      } catch (error) {
        const name = (error as Error).name;
        const advice = CREDENTIAL_ERRORS.has(name)
          ? 'AWS refused the credentials; check AWS_PROFILE or the access keys'
          : name === 'AccessDeniedException'
            ? 'the credentials may not call textract:AnalyzeID, textract:DetectDocumentText, rekognition:DetectFaces and ' +
              'rekognition:CompareFaces'
            : 'run the command again to resume';
        throw new OperatorError(
          `stopped at labels.csv line ${item.row.line}: ${name}: ${(error as Error).message} (${advice}; ${done} rows checked this run ` +
            `are kept)`,
        );
      }
      await writeAtomically(join(cacheDir, `${item.key}.json`), JSON.stringify(result));
      item.cached = result;
      done++;
      options.progress(`checked ${done} of ${todo.length}`);
    }
    options.progress('');
  }

  const checked = work.map((item) => ({ row: item.row, result: item.cached! }));
  const report = buildReport({ rows: checked, thresholds, region, now: new Date(), includeValues: options.includeValues });
  const baseline: Baseline = {
    version: 1,
    created: report.generated_at,
    thresholds,
    rows: work.map((item) => baselineRow(rowDigest(item.row, item.images, 'images'), item.cached!)),
  };
  await writeAtomically(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeAtomically(join(dir, 'report.html'), renderHtml(report));
  await writeAtomically(join(dir, BASELINE_FILE), `${JSON.stringify(baseline, null, 2)}\n`);
  const pct = (rate: number | null) => (rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`);
  log(
    `False-accept rate ${pct(report.false_accept_rate.rate)} of ${report.false_accept_rate.count}, false-reject ` +
      `rate ${pct(report.false_reject_rate.rate)} of ${report.false_reject_rate.count} ` +
      `(95% Wilson intervals in the report). Wrote ${join(dir, 'report.json')}, report.html and ${BASELINE_FILE}.`,
  );
  return report;
}

/** The samples folder, resolved through symbolic links. */
async function folder(path: string): Promise<string> {
  try {
    return await realpath(resolve(path));
  } catch {
    throw new OperatorError(`no folder ${path}`);
  }
}

/** The thresholds: Verity's defaults, then the VERITY_* variables, then the options (each checked as the functions check it). */
function settingsFrom(options: Record<string, string | undefined>, processEnv: NodeJS.ProcessEnv): LiveCheckSettings {
  const env: NodeJS.ProcessEnv = { ...processEnv };
  for (const [option, key] of Object.entries(THRESHOLD_OPTIONS))
    if (options[option] !== undefined) env[LIVE_CHECK_ENV[key].name] = options[option];
  try {
    return liveCheckSettings(env);
  } catch (error) {
    const message = (error as Error).message;
    const option = Object.entries(THRESHOLD_OPTIONS).find(
      ([name, key]) => options[name] !== undefined && message.startsWith(LIVE_CHECK_ENV[key].name),
    );
    throw new OperatorError(option ? message.replace(LIVE_CHECK_ENV[option[1]].name, `--${option[0]}`) : message);
  }
}

/** labels.csv's rows with their images read and checked: every mistake is found here, before AWS is called. */
async function loadRows(dir: string): Promise<{ row: LabelRow; images: RowImages }[]> {
  let text: string;
  try {
    text = await readFile(join(dir, 'labels.csv'), 'utf8');
  } catch {
    throw new OperatorError(`no labels.csv in ${dir}`);
  }
  try {
    const rows = parseLabels(text);
    const loaded = [];
    for (const row of rows) {
      const read = async (column: 'document_front' | 'document_back' | 'selfie') =>
        row[column] ? await image(dir, row, column) : undefined;
      const images: RowImages = {
        document_front: (await read('document_front'))!,
        document_back: await read('document_back'),
        selfie: await read('selfie'),
      };
      checkImages(row, images);
      loaded.push({ row, images });
    }
    return loaded;
  } catch (error) {
    if (error instanceof SamplesError) throw new OperatorError(error.message);
    throw error;
  }
}

/** One image's bytes; a path that is missing or (through a link) leaves the folder is refused. */
async function image(dir: string, row: LabelRow, column: 'document_front' | 'document_back' | 'selfie'): Promise<Uint8Array> {
  const where = `labels.csv line ${row.line}: ${column} ${row[column]}`;
  let path: string;
  try {
    path = await realpath(join(dir, row[column]!));
  } catch {
    throw new SamplesError(`${where} does not exist`);
  }
  if (!path.startsWith(dir + sep)) throw new SamplesError(`${where} leaves the samples folder (through a link)`);
  try {
    return await readFile(path);
  } catch (error) {
    throw new SamplesError(`${where} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

async function readCached(path: string): Promise<RowResult | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as RowResult;
  } catch {
    // Missing, or cut short by an interruption while written: check the row again.
    return undefined;
  }
}

/** Written beside, then renamed: an interruption never leaves half a file. */
async function writeAtomically(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}
