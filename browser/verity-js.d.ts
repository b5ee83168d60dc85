/**
 * The types of Verity's Stripe.js drop-in (`/v3/`) and of `Verity(…)` (`/v3/verity.js`), matching
 * `@stripe/stripe-js` for the one method they serve: `verifyIdentity`
 * (stripe/stripe-js types/stripe-js/stripe.d.ts, types/api/verification-sessions.d.ts;
 * https://docs.stripe.com/js/identity/modal). docs/stripe-js-modal.md says how to load them.
 */

/** Stripe's error types (stripe-js `StripeError['type']`). */
export type StripeErrorType =
  | 'api_connection_error'
  | 'api_error'
  | 'authentication_error'
  | 'card_error'
  | 'idempotency_error'
  | 'invalid_request_error'
  | 'rate_limit_error'
  | 'validation_error';

/** What an unsuccessful `verifyIdentity` resolves with in `error` (the fields of stripe-js `StripeError` Verity fills). */
export interface StripeError {
  type: StripeErrorType;
  /**
   * Stripe's client codes (`consent_declined`, `device_unsupported`, `under_supported_age`, …), or
   * Verity's own: `modal_closed` (the person closed the modal before submitting),
   * `modal_unavailable` (the frame never said it was ready), `embedding_origin_not_allowed`,
   * `verification_session_canceled`, `verification_session_verified`, `verification_session_processing`,
   * `client_secret_used`, `resource_missing`, `parameter_invalid`, `modal_already_open`.
   */
  code?: string;
  message?: string;
  param?: string;
  doc_url?: string;
}

/** `stripe.verifyIdentity`'s result: exactly one of the two (stripe-js `VerificationSessionResult`). */
export type VerificationSessionResult =
  | { verificationSession: { id: string }; error?: undefined }
  | { verificationSession?: undefined; error: StripeError };

/** The constructor's options: `locale` chooses the verification page's language; the others are accepted and ignored. */
export interface VerityOptions {
  /** A BCP 47 tag (`fr`, `pt-BR`) or `auto` (the browser's languages, the default). */
  locale?: string;
  stripeAccount?: string;
  apiVersion?: string;
  betas?: string[];
}

/** What `Stripe(pk)` (the `/v3/` script) and `Verity(pk)` return. */
export interface VerityIdentity {
  /** Opens the verification modal for a session's `client_secret`; resolves once, never rejects. */
  verifyIdentity(clientSecret: string): Promise<VerificationSessionResult>;
}

export interface VerityConstructor {
  (publishableKey: string, options?: VerityOptions): VerityIdentity;
  /** The Stripe.js release train `@stripe/stripe-js` expects (`loadStripe()` warns in test mode when it differs). */
  version: string;
}

// Only `Verity`: `window.Stripe` is @stripe/stripe-js's to declare (a second declaration would clash).
declare global {
  interface Window {
    Verity?: VerityConstructor;
  }
}
