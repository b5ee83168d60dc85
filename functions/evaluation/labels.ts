/**
 * An adopter's labelled samples: `labels.csv` (RFC 4180, parsed by `csv-parse`) with the header
 * `document_front,document_back,selfie,expected` and, optionally, the columns of OPTIONAL_COLUMNS
 * in any order after them. Paths are relative to the samples folder and may not leave it;
 * `document_back` and `selfie` may be empty; `expected` is `verified` or `unverified`.
 * Used by `verity evaluate` (a folder) and the production canary (an S3 prefix) alike.
 */
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { DOCUMENT_TYPES, type DocumentType } from '../domain/verification-session';
import { imageSignature } from '../domain/image-signature';
import { MAX_IMAGE_BYTES } from '../checks/live/aws-errors';

export const REQUIRED_COLUMNS = ['document_front', 'document_back', 'selfie', 'expected'] as const;
/** What the document shows, to compare with what the checks read: names as printed, dates as YYYY-MM-DD. */
export const FIELD_COLUMNS = ['first_name', 'last_name', 'dob', 'document_number', 'expiration_date'] as const;
export const OPTIONAL_COLUMNS = ['document_type', 'country', ...FIELD_COLUMNS] as const;
export type FieldColumn = (typeof FIELD_COLUMNS)[number];

/** The most rows one labels.csv may hold: bounded work, and a cost nobody runs up by a typo. */
export const MAX_ROWS = 10_000;

export interface LabelRow {
  /** 2 for the first row after the header: the line a spreadsheet shows. */
  line: number;
  document_front: string;
  document_back: string | undefined;
  selfie: string | undefined;
  expected: 'verified' | 'unverified';
  document_type: DocumentType | undefined;
  /** ISO 3166-1 alpha-2 (or as written, upper-cased). */
  country: string | undefined;
  fields: Partial<Record<FieldColumn, string>>;
}

/** A mistake in the samples, as one line that names the file, line and column. */
export class SamplesError extends Error {
  override name = 'SamplesError';
}

/**
 * The rows of `text` (a labels.csv), checked: the header, `expected`, `document_type`, dates, and
 * that each path is relative and stays inside the folder. Whether the files exist is the caller's.
 * @throws SamplesError naming the first problem (`labels.csv line 3: expected must be verified or unverified, not "yes"`)
 */
export function parseLabels(text: string): LabelRow[] {
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      skip_empty_lines: true,
      relax_column_count: false,
      trim: true,
      to: MAX_ROWS + 2,
    }) as string[][];
  } catch (error) {
    // csv-parse's CsvError: a code, the line it stopped on, and the record it read.
    const { code, lines, record } = error as { code?: string; lines?: number; record?: string[] };
    if (code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && record) {
      const columns = text
        .replace(/^\uFEFF/, '')
        .split(/\r?\n/, 1)[0]!
        .split(',').length;
      throw new SamplesError(`labels.csv line ${lines}: ${record.length} cells where the header has ${columns}`);
    }
    throw new SamplesError(`labels.csv${lines ? ` line ${lines}` : ''}: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}`);
  }
  const [header, ...rows] = records;
  const names = (header ?? []).map((name) => name.toLowerCase());
  const expectedHeader = REQUIRED_COLUMNS.join(',');
  if (names.slice(0, REQUIRED_COLUMNS.length).join(',') !== expectedHeader) {
    throw new SamplesError(
      `labels.csv: the header must begin ${expectedHeader}, not ${JSON.stringify((header ?? []).join(',').slice(0, 120))}`,
    );
  }
  for (const name of names.slice(REQUIRED_COLUMNS.length)) {
    if (!(OPTIONAL_COLUMNS as readonly string[]).includes(name))
      throw new SamplesError(`labels.csv: unknown column "${name.slice(0, 40)}" (optional columns: ${OPTIONAL_COLUMNS.join(', ')})`);
  }
  if (new Set(names).size !== names.length) throw new SamplesError('labels.csv: a column is named twice in the header');
  if (!rows.length) throw new SamplesError('labels.csv: no rows after the header');
  if (rows.length > MAX_ROWS) throw new SamplesError(`labels.csv: more than ${MAX_ROWS} rows; split the samples`);

  return rows.map((cells, index) => {
    const line = index + 2;
    const at = (name: string) => {
      const i = names.indexOf(name);
      return i < 0 || !cells[i] ? undefined : cells[i];
    };
    const problem = (message: string) => new SamplesError(`labels.csv line ${line}: ${message}`);
    const path = (name: string) => {
      const value = at(name);
      if (value !== undefined) checkRelativePath(value, (message) => problem(`${name} ${message}`));
      return value;
    };
    const front = path('document_front');
    if (!front) throw problem("document_front is empty; every row needs the document's front");
    const expected = at('expected')?.toLowerCase();
    if (expected !== 'verified' && expected !== 'unverified')
      throw problem(`expected must be verified or unverified, not ${JSON.stringify((at('expected') ?? '').slice(0, 40))}`);
    const type = at('document_type')?.toLowerCase();
    if (type !== undefined && !(DOCUMENT_TYPES as readonly string[]).includes(type))
      throw problem(`document_type must be one of ${DOCUMENT_TYPES.join(', ')}, not ${JSON.stringify(type.slice(0, 40))}`);
    const fields: Partial<Record<FieldColumn, string>> = {};
    for (const name of FIELD_COLUMNS) {
      const value = at(name);
      if (value === undefined) continue;
      if ((name === 'dob' || name === 'expiration_date') && !/^\d{4}-\d{2}-\d{2}$/.test(value))
        throw problem(`${name} must be a date as YYYY-MM-DD`);
      fields[name] = value;
    }
    return {
      line,
      document_front: front,
      document_back: path('document_back'),
      selfie: path('selfie'),
      expected,
      document_type: type as DocumentType | undefined,
      country: at('country')?.toUpperCase(),
      fields,
    };
  });
}

/** A path relative to the samples folder that cannot reach outside it (no `..`, no absolute path, no drive). */
function checkRelativePath(value: string, problem: (message: string) => Error): void {
  const parts = value.split(/[\\/]/);
  if (/^([\\/]|[A-Za-z]:)/.test(value)) throw problem(`must be relative to the samples folder, not ${JSON.stringify(value.slice(0, 80))}`);
  if (parts.includes('..')) throw problem(`leaves the samples folder: ${JSON.stringify(value.slice(0, 80))}`);
  if (value.includes('\0')) throw problem('holds a NUL character');
}

/** The images of one row, as read (bytes), by column. */
export interface RowImages {
  document_front: Uint8Array;
  document_back: Uint8Array | undefined;
  selfie: Uint8Array | undefined;
}

/**
 * Checks that each image is a JPEG or PNG (what Textract's AnalyzeID and Rekognition take as
 * bytes) and within 5 MB. @throws SamplesError naming the row, column and path.
 */
export function checkImages(row: LabelRow, images: RowImages): void {
  for (const column of ['document_front', 'document_back', 'selfie'] as const) {
    const bytes = images[column];
    if (!bytes) continue;
    const where = `labels.csv line ${row.line}: ${column} ${row[column]}`;
    if (!imageSignature(bytes)) throw new SamplesError(`${where} is not a JPEG or PNG image (Textract and Rekognition take only those)`);
    if (bytes.byteLength > MAX_IMAGE_BYTES)
      throw new SamplesError(
        `${where} is larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MB, the most Textract and Rekognition take as bytes`,
      );
  }
}

/** SHA-256 (hex) of a row's images and what else decides its result: the key of its cached result. */
export function rowDigest(row: LabelRow, images: RowImages, salt: string): string {
  const hash = createHash('sha256').update(salt).update('\0');
  for (const bytes of [images.document_front, images.document_back, images.selfie]) {
    hash.update(bytes ? createHash('sha256').update(bytes).digest('hex') : '-').update('\0');
  }
  hash.update(row.document_type ?? '-');
  return hash.digest('hex');
}
