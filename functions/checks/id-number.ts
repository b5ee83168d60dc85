/**
 * The ID-number check's port. Verity cannot query a government database itself: in live mode an
 * `id_number` check is answered by a provider the business plugs in (functions/checks/
 * lambda-id-number-provider.ts invokes one as a Lambda function). Without one, the check never
 * reports `verified`.
 */

/** What an ID-number provider is asked: the number typed, and whom it should belong to. */
export interface IdNumberQuery {
  id_number: { type: 'us_ssn'; value: string };
  first_name: string;
  last_name: string;
  dob: { day: number; month: number; year: number };
}

/** The provider's verdict; a failure carries Stripe's `last_error.code` for the id_number check. */
export type IdNumberAnswer =
  | { status: 'verified' }
  | { status: 'unverified'; code: 'id_number_mismatch' | 'id_number_insufficient_document_data' | 'id_number_unverified_other' };

export interface IdNumberProvider {
  /** Rejects (so the stream retries) when no verdict could be had; resolves only with a verdict. */
  check(query: IdNumberQuery): Promise<IdNumberAnswer>;
}
