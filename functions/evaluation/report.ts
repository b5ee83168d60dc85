/**
 * The evaluation's report: `report.json` for programs (its shape is EvaluationReport) and
 * `report.html` for people (the same figures, with inline SVG plots; no script, no network, so it
 * opens offline). Neither holds an image or a value read from a document unless `includeValues`
 * is asked for: rows are named by their labels.csv line.
 */
import type { LiveCheckSettings } from '../checks/live/settings';
import { nameWords, sameNumber } from '../checks/live/mrz';
import { FIELD_COLUMNS, type FieldColumn, type LabelRow } from './labels';
import type { RowResult } from './run-row';
import { errorRates, histogram, rateOf, summary, thresholdForFalseAcceptRate, type Rate, type ThresholdSuggestion } from './statistics';

/** The false-accept rates a threshold is suggested for. */
export const TARGET_FALSE_ACCEPT_RATES = [0.1, 0.01, 0.001];

export const INTERVAL_METHOD = 'Wilson score interval, 95% (z = 1.96)';

export const LIVENESS_NOTE =
  'Liveness is not measured: it needs the live capture (a person in front of the camera), which stored images cannot stand in for. ' +
  'Test it by hand: see docs/reference/evaluation.md, "Liveness".';

export interface Rates {
  false_accept_rate: Rate;
  false_reject_rate: Rate;
}

export interface EvaluationReport {
  generated_at: string;
  region: string | null;
  /** The thresholds the rows were checked with (functions/checks/live/settings.ts). */
  thresholds: LiveCheckSettings;
  interval: string;
  rows: { total: number; expected_verified: number; expected_unverified: number };
  false_accept_rate: Rate;
  false_reject_rate: Rate;
  by_document_type: Record<string, Rates>;
  by_country: Record<string, Rates>;
  /** How often each failure code was given, split by the label. */
  failure_codes: { expected_verified: Record<string, number>; expected_unverified: Record<string, number> };
  /**
   * Per field: rows with a label for it, and the share read exactly (names compared without accents, case or punctuation; numbers without
   * spaces or dashes).
   */
  /** Per optional column: rows that give it, rows read exactly, and that share (`rate`, 0–1) with its 95% Wilson interval. */
  field_accuracy: Record<FieldColumn, { compared: number; correct: number; rate: number | null; interval: Rate['interval'] }>;
  face_similarity: {
    genuine: ReturnType<typeof summary> & { histogram: ReturnType<typeof histogram> };
    impostor: ReturnType<typeof summary> & { histogram: ReturnType<typeof histogram> };
    /** The lowest threshold meeting each target false-accept rate on these impostors (only rows whose faces were compared). */
    suggested_thresholds: ThresholdSuggestion[];
    /** Set it with VERITY_FACE_MIN_SIMILARITY (CDK context faceMinSimilarity). */
    setting: string;
  };
  analyze_id_model_versions: string[];
  liveness: string;
  /** One entry per row, by its labels.csv line: no value read unless includeValues. */
  row_results: {
    line: number;
    expected: 'verified' | 'unverified';
    verified: boolean;
    failure_code: string | null;
    similarity: number | null;
    fields_correct: Partial<Record<FieldColumn, boolean>>;
    read?: RowResult['fields'];
  }[];
}

export interface ReportInput {
  rows: { row: LabelRow; result: RowResult }[];
  thresholds: LiveCheckSettings;
  region: string | null;
  now: Date;
  includeValues?: boolean;
}

/** Whether the value read matches the label: names by their words, numbers by letters and digits, dates exactly. */
export function fieldMatches(field: FieldColumn, label: string, read: string | undefined): boolean {
  if (read === undefined) return false;
  if (field === 'first_name' || field === 'last_name') return nameWords(label).join(' ') === nameWords(read).join(' ');
  if (field === 'document_number') return sameNumber(label, read);
  return label === read;
}

export function buildReport({ rows, thresholds, region, now, includeValues = false }: ReportInput): EvaluationReport {
  const outcome = rows.map(({ row, result }) => ({ expected: row.expected, verified: result.verified }));
  const grouped = (key: (row: LabelRow) => string | undefined) => {
    const groups: Record<string, Rates> = {};
    const keys = [...new Set(rows.map(({ row }) => key(row)).filter((value): value is string => value !== undefined))].sort();
    for (const name of keys)
      groups[name] = errorRates(
        rows.filter(({ row }) => key(row) === name).map(({ row, result }) => ({ expected: row.expected, verified: result.verified })),
      );
    return groups;
  };
  const codes = (expected: 'verified' | 'unverified') => {
    const counts: Record<string, number> = {};
    for (const { row, result } of rows)
      if (row.expected === expected) counts[result.failure_code ?? 'verified'] = (counts[result.failure_code ?? 'verified'] ?? 0) + 1;
    return counts;
  };
  const fieldAccuracy = Object.fromEntries(
    FIELD_COLUMNS.map((field) => {
      const labelled = rows.filter(({ row }) => row.fields[field] !== undefined);
      const correct = labelled.filter(({ row, result }) => fieldMatches(field, row.fields[field]!, result.fields[field])).length;
      // A share of successes, not of errors: named as such, so no field reads `errors` for correct reads.
      const { rate, interval } = rateOf(correct, labelled.length);
      return [field, { compared: labelled.length, correct, rate, interval }];
    }),
  ) as EvaluationReport['field_accuracy'];
  const scores = (expected: 'verified' | 'unverified') =>
    rows.filter(({ row, result }) => row.expected === expected && result.similarity !== null).map(({ result }) => result.similarity!);
  const genuine = scores('verified');
  const impostor = scores('unverified');
  return {
    generated_at: now.toISOString(),
    region,
    thresholds,
    interval: INTERVAL_METHOD,
    rows: {
      total: rows.length,
      expected_verified: rows.filter(({ row }) => row.expected === 'verified').length,
      expected_unverified: rows.filter(({ row }) => row.expected === 'unverified').length,
    },
    ...errorRates(outcome),
    by_document_type: grouped((row) => row.document_type ?? 'unspecified'),
    by_country: grouped((row) => row.country),
    failure_codes: { expected_verified: codes('verified'), expected_unverified: codes('unverified') },
    field_accuracy: fieldAccuracy,
    face_similarity: {
      genuine: { ...summary(genuine), histogram: histogram(genuine) },
      impostor: { ...summary(impostor), histogram: histogram(impostor) },
      suggested_thresholds: TARGET_FALSE_ACCEPT_RATES.map((target) => thresholdForFalseAcceptRate(impostor, genuine, target)),
      setting:
        'VERITY_FACE_MIN_SIMILARITY (npm start, npx verity evaluate --face-min-similarity), CDK context faceMinSimilarity, or the ' +
        "Verity construct's liveChecks.settings.faceMinSimilarity",
    },
    analyze_id_model_versions: [
      ...new Set(rows.map(({ result }) => result.model_version).filter((version): version is string => version !== null)),
    ].sort(),
    liveness: LIVENESS_NOTE,
    row_results: rows.map(({ row, result }) => ({
      line: row.line,
      expected: row.expected,
      verified: result.verified,
      failure_code: result.failure_code,
      similarity: result.similarity,
      fields_correct: Object.fromEntries(
        FIELD_COLUMNS.filter((field) => row.fields[field] !== undefined).map((field) => [
          field,
          fieldMatches(field, row.fields[field]!, result.fields[field]),
        ]),
      ),
      ...(includeValues && { read: result.fields }),
    })),
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(value > 0 && value < 0.01 ? 2 : 1)}%`);
const rateText = (rate: Rate) =>
  `${percent(rate.rate)} (${rate.errors} of ${rate.count}; 95% CI ${percent(rate.interval.low)}–${percent(rate.interval.high)})`;

/** Two histograms, genuine over impostor, with the configured threshold as a line. */
function similaritySvg(report: EvaluationReport): string {
  const [width, height, pad] = [640, 220, 30];
  const genuine = report.face_similarity.genuine.histogram;
  const impostor = report.face_similarity.impostor.histogram;
  const max = Math.max(1, ...genuine.map((bin) => bin.count), ...impostor.map((bin) => bin.count));
  const barWidth = (width - 2 * pad) / genuine.length;
  const bars = (bins: typeof genuine, color: string, offset: number) =>
    bins
      .map((bin, i) => {
        const h = ((height - 2 * pad) * bin.count) / max;
        return (
          `<rect x="${(pad + i * barWidth + offset).toFixed(1)}" y="${(height - pad - h).toFixed(1)}" ` +
          `width="${(barWidth / 2 - 1).toFixed(1)}" height="${h.toFixed(1)}" ` +
          `fill="${color}"><title>${bin.from}–${bin.to}: ${bin.count}</title></rect>`
        );
      })
      .join('');
  const x = pad + ((width - 2 * pad) * report.thresholds.faceMinSimilarity) / 100;
  const ticks = [0, 25, 50, 75, 100]
    .map((t) => `<text x="${pad + ((width - 2 * pad) * t) / 100}" y="${height - 10}" font-size="11" text-anchor="middle">${t}</text>`)
    .join('');
  return `<svg role="img" aria-label="Face similarity of genuine and impostor rows" viewBox="0 0 ${width} ${height}" width="${width}"
height="${height}">
<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}"
stroke="#888"/>${bars(genuine, '#2a7d4f', 0)}${bars(impostor, '#c0392b', barWidth / 2)}
<line x1="${x}" y1="${pad / 2}" x2="${x}" y2="${height - pad}" stroke="#333" stroke-dasharray="4 3"/><text x="${x + 4}" y="${pad / 2 + 10}"
font-size="11">threshold ${report.thresholds.faceMinSimilarity}</text>${ticks}</svg>`;
}

/** Rates by document type as bars with their intervals as whiskers. */
function ratesSvg(groups: Record<string, Rates>): string {
  const names = Object.keys(groups);
  const rowHeight = 22;
  const [width, left] = [640, 150];
  const scale = (value: number) => left + (width - left - 20) * value;
  const lines = names.flatMap((name, i) =>
    (['false_accept_rate', 'false_reject_rate'] as const).map((kind, j) => {
      const rate = groups[name]![kind];
      const y = 10 + (i * 2 + j) * rowHeight;
      const color = kind === 'false_accept_rate' ? '#c0392b' : '#2c5aa0';
      return (
        `<text x="${left - 6}" y="${y + 13}" font-size="11" ` +
        `text-anchor="end">${escapeHtml(name)} ${kind === 'false_accept_rate' ? 'FAR' : 'FRR'}</text>` +
        `<rect x="${left}" y="${y + 3}" width="${(scale(rate.rate ?? 0) - left).toFixed(1)}" height="12" fill="${color}"/>` +
        `<line x1="${scale(rate.interval.low).toFixed(1)}" y1="${y + 9}" x2="${scale(rate.interval.high).toFixed(1)}" y2="${y + 9}" ` +
        `stroke="#222"/>` +
        `<text x="${(scale(rate.interval.high) + 4).toFixed(1)}" y="${y + 13}" font-size="10">${percent(rate.rate)} of ${rate.count}</text>`
      );
    }),
  );
  const height = 20 + names.length * 2 * rowHeight;
  return (
    `<svg role="img" aria-label="Error rates by document type" viewBox="0 0 ${width} ${height}" width="${width}" ` +
    `height="${height}">${lines.join('')}</svg>`
  );
}

/** The report as a page: figures, tables and the two plots, self-contained. */
export function renderHtml(report: EvaluationReport): string {
  const table = (head: string[], body: string[][]) =>
    `<table><thead><tr>${head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>${body
      .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
      .join('')}</tbody></table>`;
  const groupTable = (groups: Record<string, Rates>) =>
    table(
      ['group', 'false-accept rate', 'false-reject rate'],
      Object.entries(groups).map(([name, rates]) => [name, rateText(rates.false_accept_rate), rateText(rates.false_reject_rate)]),
    );
  const fields = Object.entries(report.field_accuracy).filter(([, field]) => field.compared > 0);
  return (
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Verity evaluation</title>
<style>body{font:14px/1.5 system-ui,sans-serif;max-width:760px;margin:2em auto;padding:0 ` +
    `1em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px ` +
    `8px;text-align:left}th{background:#f4f4f4}.key span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}</style></head>
<body><h1>Verity evaluation</h1>
<p>${report.rows.total} rows (${report.rows.expected_verified} labelled verified, ${report.rows.expected_unverified} labelled ` +
    `unverified), checked ${escapeHtml(report.generated_at)}${report.region ? ` in ${escapeHtml(report.region)}` : ''}. Intervals: ` +
    `${escapeHtml(report.interval)}.</p>
<h2>Error rates</h2>
${table(
  ['', 'rate'],
  [
    ['False-accept rate (unverified rows verified)', rateText(report.false_accept_rate)],
    ['False-reject rate (verified rows refused)', rateText(report.false_reject_rate)],
  ],
)}
<h3>By document type</h3>${ratesSvg(report.by_document_type)}${groupTable(report.by_document_type)}
${Object.keys(report.by_country).length ? `<h3>By country</h3>${groupTable(report.by_country)}` : ''}
<h2>Face similarity</h2>
<p class="key"><span style="background:#2a7d4f"></span>genuine (${report.face_similarity.genuine.count})<span
style="background:#c0392b"></span>impostor (${report.face_similarity.impostor.count})</p>
${similaritySvg(report)}
${table(
  ['target false-accept rate', 'threshold', 'false-accept rate at it', 'false-reject rate at it'],
  report.face_similarity.suggested_thresholds.map((s) => [
    percent(s.target_false_accept_rate),
    `${s.threshold}${s.below_resolution ? ' (too few impostors to show the target)' : ''}`,
    rateText(s.false_accept_rate),
    rateText(s.false_reject_rate),
  ]),
)}
<p>To apply a threshold: ${escapeHtml(report.face_similarity.setting)}.</p>
<h2>Fields read</h2>
${
  fields.length
    ? table(
        ['field', 'read exactly'],
        fields.map(([name, field]) => [
          name,
          rateText({ rate: field.rate, interval: field.interval, count: field.compared, errors: field.correct }),
        ]),
      )
    : '<p>No field columns in labels.csv.</p>'
}
<h2>Thresholds and model</h2>
${table(
  ['setting', 'value'],
  [
    ...Object.entries(report.thresholds).map(([name, value]) => [name, String(value)]),
    ['AnalyzeIDModelVersion', report.analyze_id_model_versions.join(', ') || '–'],
  ],
)}
<h2>Liveness</h2><p>${escapeHtml(report.liveness)}</p>
</body></html>
`
  );
}
