/** How Stripe clients present a secret key: `Bearer sk_…`, or Basic auth with the key as user name. */
import { VerityError } from '../domain/errors';
import { maskSecretKey } from '../domain/api-keys';

export function presentedSecretKey(authorization: string | undefined): string {
  const [scheme, credentials, ...rest] = (authorization ?? '').trim().split(/\s+/);
  // Anything after the credentials makes the header malformed, not a key with a suffix.
  if (rest.length) throw invalidApiKey(authorization ?? '');
  let key = '';
  if (scheme?.toLowerCase() === 'bearer' && credentials) key = credentials;
  if (scheme?.toLowerCase() === 'basic' && credentials) {
    key = Buffer.from(credentials, 'base64').toString('utf8').split(':', 1)[0] ?? '';
  }
  if (key === '') {
    throw new VerityError(
      'authentication',
      null,
      'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. ' +
        "'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  }
  return key;
}

export const invalidApiKey = (key: string) => new VerityError('authentication', null, `Invalid API Key provided: ${maskSecretKey(key)}`);
