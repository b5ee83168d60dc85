/**
 * The VerificationSession's shape: its statuses, types, options and fields, and the credentials it
 * keeps (domain/session-credentials.ts spends them). Types and their value lists only, so that the
 * session's state machine (domain/verification-session.ts, which re-exports all of this) and the
 * modules it calls (report, checks, credentials, redaction) can all name the session without
 * importing one another in a circle.
 */
import type { Metadata, MetadataPatch } from './metadata';
import type { Mode } from './scope';

export const CREDENTIAL_KINDS = ['client_secret', 'url'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export interface Credential {
  generation: number;
  /** Epoch seconds. */
  issued_at: number;
  used: boolean;
  /**
   * How many times a credential of this kind was spent on the page (accepted or declined), over
   * every generation: carried over when a fresh one is issued. Absent on sessions stored before
   * it was counted, which reads as 0. A page cookie acts only while the count it was issued at
   * is still the count (a later acceptance of any link of the session retires it).
   */
  uses?: number;
}
export type SessionCredentials = Record<CredentialKind, Credential>;

export const SESSION_STATUSES = ['requires_input', 'processing', 'verified', 'canceled'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export const SESSION_TYPES = ['document', 'id_number'] as const;
export type SessionType = (typeof SESSION_TYPES)[number];
export const DOCUMENT_TYPES = ['driving_license', 'id_card', 'passport'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export interface DocumentOptions {
  allowed_types?: DocumentType[];
  require_id_number?: boolean;
  require_live_capture?: boolean;
  require_matching_selfie?: boolean;
}
export interface SessionOptions {
  document?: DocumentOptions;
}
/** `''` unsets, as Stripe's Emptyable parameters do. */
export type OptionsInput = { document?: DocumentOptions | '' } | '';

export interface ProvidedDetails {
  email: string | null;
  phone: string | null;
}
export type ProvidedDetailsInput = { email?: string; phone?: string };

export interface RelatedPerson {
  account: string;
  person: string;
}

export interface LastError {
  code: string | null;
  reason: string | null;
}

export interface VerifiedOutputs {
  [field: string]: unknown;
}

export interface VerificationSession {
  id: string;
  account: string;
  mode: Mode;
  created: number;
  status: SessionStatus;
  type: SessionType;
  client_reference_id: string | null;
  metadata: Metadata;
  options: SessionOptions;
  provided_details: ProvidedDetails | null;
  related_customer: string | null;
  related_customer_account: string | null;
  related_person: RelatedPerson | null;
  return_url: string | null;
  last_error: LastError | null;
  last_verification_report: string | null;
  verified_outputs: VerifiedOutputs | null;
  redaction: { status: 'processing' | 'redacted' } | null;
  /** Never shown: which client_secret and url are current (domain/session-credentials.ts). */
  credentials: SessionCredentials;
  /** Never shown: the submission being processed, while `processing`. */
  submission: string | null;
  /**
   * Never shown: when the redaction job falls due (epoch seconds), set by a redact call or by the
   * retention policy; null once redacted or when nothing is planned.
   */
  redaction_due: number | null;
}

export interface CreateVerificationSessionInput {
  type?: SessionType;
  verification_flow?: string;
  client_reference_id?: string;
  metadata?: MetadataPatch;
  options?: OptionsInput;
  provided_details?: ProvidedDetailsInput;
  related_customer?: string;
  related_customer_account?: string;
  related_person?: { account?: string; person?: string };
  return_url?: string;
}

export interface UpdateVerificationSessionInput {
  type?: SessionType;
  metadata?: MetadataPatch;
  options?: OptionsInput;
  provided_details?: ProvidedDetailsInput;
}
