/**
 * One labelled sample through the production checks: the live provider (functions/checks/live,
 * `createLiveChecks`) with the row's images as bytes, exactly as a live session with a document
 * (and a matching selfie when the row has one) is checked. Two things the verdict does not show
 * are watched on the way, without changing it:
 * - Textract's `AnalyzeIDModelVersion` (AWS API_AnalyzeID response);
 * - Rekognition's CompareFaces similarity. AWS leaves faces below `SimilarityThreshold` out of
 *   `FaceMatches` (AWS API_CompareFaces); the check itself asks with 0 (for the review policy's
 *   `face_similarity`) and decides on `similarity ≥ threshold` (selfie.ts); the watch sets 0 too,
 *   so every score comes back whatever the check asks, and the verdict is the one production gives.
 */
import { CompareFacesCommand, type CompareFacesCommandOutput, type RekognitionClient } from '@aws-sdk/client-rekognition';
import { AnalyzeIDCommand, type AnalyzeIDCommandOutput, type TextractClient } from '@aws-sdk/client-textract';
import { createLiveChecks, type LiveCheckSettings } from '../checks/live';
import type { DateParts, ExtractedPerson, FailureCode, Submission } from '../domain/verification-checks';
import { createVerificationSession, type DocumentType } from '../domain/verification-session';
import type { FieldColumn, RowImages } from './labels';

/** What one row's run gave: the verdict and what the report measures. Holds read values; the report leaves them out unless asked. */
export interface RowResult {
  verified: boolean;
  /** Stripe's `last_error.code`, null when verified. */
  failure_code: FailureCode | null;
  /** The highest CompareFaces similarity (0–100), null when no faces were compared (no selfie, or an earlier check failed). */
  similarity: number | null;
  /** Textract's AnalyzeIDModelVersion, null when AnalyzeID was not reached. */
  model_version: string | null;
  /** What the checks read, as the label columns write it (dates YYYY-MM-DD); absent when not read. */
  fields: Partial<Record<FieldColumn, string>>;
  /** The document type the checks settled on. */
  document_type: DocumentType | null;
}

export interface RowInput {
  textract: TextractClient;
  rekognition: RekognitionClient;
  settings: LiveCheckSettings;
  images: RowImages;
  /** The type the person would pick on the page (labels.csv `document_type`). */
  document_type: DocumentType | undefined;
  now?: Date;
}

const EVALUATION_SCOPE = { account: 'acct_evaluation', mode: 'live' } as const;

/**
 * Runs one row. @throws what the live checks throw: the AWS SDK's errors for throttling after its
 * retries, 5xx, the network, credentials or permissions (no verdict: the caller stops or retries).
 */
export async function evaluateRow(input: RowInput): Promise<RowResult> {
  const now = input.now ?? new Date();
  const seen: { similarity: number | null; model_version: string | null } = { similarity: null, model_version: null };
  const textract = watched(input.textract, (command, output) => {
    if (command instanceof AnalyzeIDCommand)
      seen.model_version = (output as AnalyzeIDCommandOutput).AnalyzeIDModelVersion ?? seen.model_version;
  });
  const rekognition = watched(
    input.rekognition,
    (command, output) => {
      if (!(command instanceof CompareFacesCommand)) return;
      const scores = ((output as CompareFacesCommandOutput).FaceMatches ?? []).map((match) => match.Similarity ?? 0);
      seen.similarity = scores.length ? Math.max(...scores) : 0;
    },
    (command) => {
      if (command instanceof CompareFacesCommand) command.input.SimilarityThreshold = 0;
    },
  );
  const files: Record<string, Uint8Array | undefined> = {
    front: input.images.document_front,
    back: input.images.document_back,
    selfie: input.images.selfie,
  };
  const checks = createLiveChecks({
    textract,
    rekognition,
    settings: input.settings,
    images: async (_scope, id) => (files[id] ? { Bytes: files[id] } : undefined),
    now: () => now,
  });
  const session = createVerificationSession(
    { type: 'document', options: { document: { require_matching_selfie: Boolean(input.images.selfie) } } },
    { id: 'vs_evaluation', scope: EVALUATION_SCOPE, now },
  );
  const submission: Submission = {
    id: 'vsub_evaluation',
    session: session.id,
    created: Math.floor(now.getTime() / 1000),
    consent: 'given',
    ...(input.document_type && { document_type: input.document_type }),
    files: {
      document_front: 'front',
      ...(input.images.document_back && { document_back: 'back' }),
      ...(input.images.selfie && { selfie: 'selfie' }),
    },
  };
  const outcome = await checks.run(session, submission);
  return {
    verified: outcome.failure === null,
    failure_code: outcome.failure?.code ?? null,
    similarity: seen.similarity,
    model_version: seen.model_version,
    fields: fieldsOf(outcome.person),
    document_type: outcome.person?.document?.type ?? null,
  };
}

/** A client whose `send` is seen (and its input adjusted) on the way; everything else is the client's own. */
function watched<C extends { send: (...args: never[]) => Promise<unknown> }>(
  client: C,
  observe: (command: unknown, output: unknown) => void,
  adjust: (command: { input: Record<string, unknown> }) => void = () => {},
): C {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: { input: Record<string, unknown> }, ...rest: unknown[]) => {
        adjust(command);
        const output: unknown = await Reflect.apply(target.send, target, [command, ...rest]);
        observe(command, output);
        return output;
      };
    },
  });
}

const isoDate = (date: DateParts | null | undefined) =>
  date ? `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}` : undefined;

function fieldsOf(person: ExtractedPerson | null): Partial<Record<FieldColumn, string>> {
  if (!person) return {};
  const read: Partial<Record<FieldColumn, string | null | undefined>> = {
    first_name: person.first_name,
    last_name: person.last_name,
    dob: isoDate(person.dob),
    document_number: person.document?.number,
    expiration_date: isoDate(person.document?.expiration_date),
  };
  return Object.fromEntries(Object.entries(read).filter(([, value]) => value)) as Partial<Record<FieldColumn, string>>;
}
