/**
 * Identity BlocklistEntry, Stripe's preview API (stripe-node `Identity/BlocklistEntries.ts`,
 * private-preview; https://docs.stripe.com/identity/review-tools#block-list): made from a
 * verification report, it stops later verifications of the same document (type + number + issuing
 * country) or the same face. Pure: no I/O, no clock; callers pass the id and the time in.
 */
import { invalidParameter, VerityError } from './errors';
import type { VerificationReport } from './verification-report';
import type { Mode } from './scope';

export const BLOCKLIST_ENTRY_TYPES = ['document', 'selfie'] as const;
export type BlocklistEntryType = (typeof BLOCKLIST_ENTRY_TYPES)[number];
export const BLOCKLIST_ENTRY_STATUSES = ['active', 'disabled', 'redacted'] as const;
export type BlocklistEntryStatus = (typeof BLOCKLIST_ENTRY_STATUSES)[number];
/** Stripe shows no id of one in its docs: Verity's own prefix. */
export const BLOCKLIST_ENTRY_ID_PREFIX = 'ible';

export interface BlocklistEntry {
  id: string;
  account: string;
  mode: Mode;
  /** Epoch seconds. */
  created: number;
  disabled_at: number | null;
  /** Entries never expire in Verity: null. */
  expires_at: null;
  status: BlocklistEntryStatus;
  type: BlocklistEntryType;
  verification_report: string;
  verification_session: string;
}

/**
 * What a document entry matches: type, number and issuing country, as the report read them,
 * normalized (case, spaces and separators in the number ignored). Personal: only ever stored as a
 * keyed digest (functions/store/blocklist-entries.ts).
 */
export interface DocumentIdentity {
  type: string;
  number: string;
  issuing_country: string;
}

export function documentIdentity(
  document: { type: string | null; number: string | null; issuing_country: string | null } | null | undefined,
) {
  if (!document?.type || !document.number || !document.issuing_country) return undefined;
  const number = document.number.toUpperCase().replace(/[^0-9A-Z]/g, '');
  if (number === '') return undefined;
  return { type: document.type, number, issuing_country: document.issuing_country.toUpperCase() } satisfies DocumentIdentity;
}

/**
 * A new active entry of `type` from `report`. Refuses (400, param `verification_report`) a
 * redacted report, and one that holds no document identity (a `document` entry) or no selfie
 * (a `selfie` entry).
 */
export function createBlocklistEntry(
  report: VerificationReport,
  type: BlocklistEntryType,
  context: { id: string; now: Date },
): BlocklistEntry {
  if (report.redacted) {
    throw invalidParameter(
      'parameter_invalid',
      `The VerificationReport ${report.id} has been redacted: there is nothing left to block.`,
      'verification_report',
    );
  }
  if (type === 'document' && !documentIdentity(report.document)) {
    throw invalidParameter(
      'parameter_invalid',
      `The VerificationReport ${report.id} holds no document type, number and issuing country to block ` +
        '(a document check must have read them).',
      'verification_report',
    );
  }
  if (type === 'selfie' && !report.selfie?.selfie) {
    throw invalidParameter('parameter_invalid', `The VerificationReport ${report.id} holds no selfie to block.`, 'verification_report');
  }
  return {
    id: context.id,
    account: report.account,
    mode: report.mode,
    created: Math.floor(context.now.getTime() / 1000),
    disabled_at: null,
    expires_at: null,
    status: 'active',
    type,
    verification_report: report.id,
    verification_session: report.verification_session,
  };
}

/** Disables an active entry, for good (Stripe: "This action is irreversible"); 400 for one disabled or redacted. */
export function disableBlocklistEntry(entry: BlocklistEntry, now: Date): BlocklistEntry {
  if (entry.status !== 'active') {
    throw new VerityError(
      'unexpected_state',
      'blocklist_entry_unexpected_state',
      `You cannot disable this BlocklistEntry because it has a status of ${entry.status}. Only an active BlocklistEntry can be disabled.`,
    );
  }
  return { ...entry, status: 'disabled', disabled_at: Math.floor(now.getTime() / 1000) };
}

/** The entry once its session is redacted: it blocks nothing any more. */
export const redactedBlocklistEntry = (entry: BlocklistEntry): BlocklistEntry => ({ ...entry, status: 'redacted' });

/** The failure a verification that matches an active entry concludes with (docs/reference/stripe-silent-behaviour.md). */
export const BLOCKED_FAILURE = {
  document: { code: 'document_unverified_other', reason: 'The document matches an entry of the blocklist.' },
  selfie: { code: 'selfie_unverified_other', reason: 'The selfie matches an entry of the blocklist.' },
} as const;
