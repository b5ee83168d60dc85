/**
 * What Textract `AnalyzeID` read: its normalized fields (AWS "Analyzing Identity Documentation",
 * identitydocumentfields.html) by name, the best read of each across the pages sent.
 */
import type { AnalyzeIDCommandOutput } from '@aws-sdk/client-textract';

/** One field as read: its text, Textract's confidence (0–100) and, for dates, the normalized value. */
export interface IdField {
  text: string;
  confidence: number;
  /** `"yyyy-MM-ddThh:mm:ss"` for dates. */
  normalized: string | undefined;
}

export type IdFieldName =
  | 'FIRST_NAME'
  | 'LAST_NAME'
  | 'MIDDLE_NAME'
  | 'SUFFIX'
  | 'DATE_OF_BIRTH'
  | 'DOCUMENT_NUMBER'
  | 'EXPIRATION_DATE'
  | 'DATE_OF_ISSUE'
  | 'ADDRESS'
  | 'CITY_IN_ADDRESS'
  | 'STATE_IN_ADDRESS'
  | 'ZIP_CODE_IN_ADDRESS'
  | 'STATE_NAME'
  | 'ID_TYPE'
  | 'PLACE_OF_BIRTH'
  | 'MRZ_CODE';

export type IdFields = Map<string, IdField>;

/**
 * The fields of every page (front and back come back as separate `IdentityDocuments`); where both
 * pages read a field, the more confident read wins. A field read as empty text counts as unread.
 */
export function identityFields(response: Pick<AnalyzeIDCommandOutput, 'IdentityDocuments'>): IdFields {
  const fields: IdFields = new Map();
  for (const document of response.IdentityDocuments ?? []) {
    for (const field of document.IdentityDocumentFields ?? []) {
      const name = field.Type?.Text?.trim().toUpperCase();
      const text = field.ValueDetection?.Text?.trim();
      if (!name || !text) continue;
      const read: IdField = {
        text,
        confidence: field.ValueDetection?.Confidence ?? 0,
        normalized: field.ValueDetection?.NormalizedValue?.Value,
      };
      const earlier = fields.get(name);
      if (!earlier || earlier.confidence < read.confidence) fields.set(name, read);
    }
  }
  return fields;
}

/** The field if it was read with at least `minConfidence`. */
export const confident = (fields: IdFields, name: IdFieldName, minConfidence: number): IdField | undefined => {
  const field = fields.get(name);
  return field && field.confidence >= minConfidence ? field : undefined;
};
