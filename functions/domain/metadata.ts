import { invalidParameter } from './errors';

/** Stripe's metadata rules: https://docs.stripe.com/api/metadata */
export const METADATA_MAX_KEYS = 50;
export const METADATA_MAX_KEY_LENGTH = 40;
export const METADATA_MAX_VALUE_LENGTH = 500;

export type Metadata = Record<string, string>;
/** A patch as the client sends it: `''` clears every key, an empty value clears that key. */
export type MetadataPatch = Record<string, string> | '';

export function applyMetadataPatch(current: Metadata, patch: MetadataPatch | undefined): Metadata {
  if (patch === undefined) return current;
  if (patch === '') return {};
  // Every key is the client's own, `__proto__` and `constructor` included: a null-prototype object
  // keeps each an ordinary key (assignment to a plain object would set its prototype instead), and
  // the copy returned is made by spreading, which defines keys rather than assigning them.
  const next: Metadata = Object.assign(Object.create(null), current);
  for (const [key, value] of Object.entries(patch)) {
    if (key.length > METADATA_MAX_KEY_LENGTH) {
      throw invalidParameter(
        'parameter_invalid',
        `Metadata keys can have up to ${METADATA_MAX_KEY_LENGTH} characters; '${key.slice(0, 50)}…' has ${key.length}.`,
        `metadata[${key}]`,
      );
    }
    if (key === '' || key.includes('[') || key.includes(']')) {
      throw invalidParameter('parameter_invalid', 'Metadata keys must not be empty or contain `[` or `]`.', 'metadata');
    }
    if (value.length > METADATA_MAX_VALUE_LENGTH) {
      throw invalidParameter(
        'parameter_invalid',
        `Metadata values can have up to ${METADATA_MAX_VALUE_LENGTH} characters, but the value for '${key}' has ${value.length}.`,
        `metadata[${key}]`,
      );
    }
    if (value === '') delete next[key];
    else next[key] = value;
  }
  if (Object.keys(next).length > METADATA_MAX_KEYS) {
    throw invalidParameter(
      'parameter_invalid',
      `An object can have at most ${METADATA_MAX_KEYS} metadata keys; this request would leave ${Object.keys(next).length}.`,
      'metadata',
    );
  }
  return { ...next };
}
