/**
 * The canary's baseline: what an evaluation run read from each sample, stored beside the samples
 * (`canary-baseline.json`) so the daily canary can say when AWS now answers differently. It holds
 * no value read from a document: each field as the SHA-256 of its text, which shows a change
 * without showing the value.
 */
import { createHash } from 'node:crypto';
import type { LiveCheckSettings } from '../checks/live/settings';
import { FIELD_COLUMNS, type FieldColumn } from './labels';
import type { RowResult } from './run-row';

export const BASELINE_FILE = 'canary-baseline.json';

export interface BaselineRow {
  /** SHA-256 (hex) of the row's images (labels.ts rowDigest with no salt): the row it describes. */
  images: string;
  verified: boolean;
  failure_code: string | null;
  similarity: number | null;
  model_version: string | null;
  /** SHA-256 (hex) of each field's text as read; absent fields were not read. */
  fields: Partial<Record<FieldColumn, string>>;
}

export interface Baseline {
  version: 1;
  created: string;
  /** The thresholds the baseline ran with; the canary runs with the same, so a changed deployment setting is no alarm. */
  thresholds: LiveCheckSettings;
  rows: BaselineRow[];
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

export function baselineRow(images: string, result: RowResult): BaselineRow {
  return {
    images,
    verified: result.verified,
    failure_code: result.failure_code,
    similarity: result.similarity,
    model_version: result.model_version,
    fields: Object.fromEntries(Object.entries(result.fields).map(([name, value]) => [name, digest(value)])),
  };
}

/** One way a sample's result moved from its baseline, without any value: what moved, on which row. */
export interface Drift {
  line: number;
  kind: 'verdict' | 'field' | 'similarity' | 'model_version' | 'no_baseline';
  /** The field's name, the failure codes, the similarities or the model versions: never a value read. */
  detail: string;
}

/**
 * How `result` differs from `baseline`: another verdict or failure code, a field read differently
 * (or read where it was not, or not where it was), a similarity more than `tolerance` (0–100
 * points) away, or another AnalyzeIDModelVersion.
 */
export function drifts(line: number, baseline: BaselineRow | undefined, result: RowResult, tolerance: number): Drift[] {
  if (!baseline)
    return [
      {
        line,
        kind: 'no_baseline',
        detail: 'no baseline row has these images: run npx verity evaluate on the samples and upload canary-baseline.json',
      },
    ];
  const found: Drift[] = [];
  if (baseline.verified !== result.verified || baseline.failure_code !== result.failure_code) {
    found.push({ line, kind: 'verdict', detail: `${baseline.failure_code ?? 'verified'} → ${result.failure_code ?? 'verified'}` });
  }
  const now = baselineRow(baseline.images, result);
  for (const field of FIELD_COLUMNS) {
    if (baseline.fields[field] !== now.fields[field]) found.push({ line, kind: 'field', detail: `${field} read differently` });
  }
  const [before, after] = [baseline.similarity, result.similarity];
  if ((before === null) !== (after === null) || (before !== null && after !== null && Math.abs(before - after) > tolerance)) {
    found.push({ line, kind: 'similarity', detail: `${before ?? 'not compared'} → ${after ?? 'not compared'} (tolerance ${tolerance})` });
  }
  if (baseline.model_version !== result.model_version)
    found.push({ line, kind: 'model_version', detail: `${baseline.model_version ?? 'none'} → ${result.model_version ?? 'none'}` });
  return found;
}
