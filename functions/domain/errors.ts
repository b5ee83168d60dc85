/**
 * Errors the core raises. They name what went wrong in the domain's words; the wire layer
 * (functions/wire/errors.ts) decides how each kind looks on HTTP.
 */
export type ErrorKind =
  | 'invalid_parameter'
  | 'resource_missing'
  | 'unexpected_state'
  | 'authentication'
  | 'unrecognized_url'
  | 'conflict'
  | 'idempotency'
  /** The key may not do this (Stripe's 403, which the SDK raises as StripePermissionError). */
  | 'permission';

export class VerityError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string | null,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'VerityError';
  }
}

export const invalidParameter = (code: string, message: string, param: string | null) =>
  new VerityError('invalid_parameter', code, message, param);

export const missingParameter = (param: string) => invalidParameter('parameter_missing', `Missing required param: ${param}.`, param);

export const resourceMissing = (objectName: string, id: string, param: string | null = 'id') =>
  new VerityError('resource_missing', 'resource_missing', `No such ${objectName}: '${id}'`, param);

/**
 * `text` quoted for an error message: at most `max` characters, every character outside printable
 * ASCII escaped (`\u0000`), so no control or bidi character reaches a log or a page raw.
 */
export const quoted = (text: string, max = 100): string =>
  JSON.stringify(text.slice(0, max)).replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
