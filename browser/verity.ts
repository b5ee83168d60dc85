/**
 * `Verity(publishableKey, options)`, served at `/v3/verity.js`, for a page that keeps Stripe.js for
 * payments (replacing `window.Stripe` would break them): `verity.verifyIdentity(clientSecret)` is
 * `stripe.verifyIdentity`, opening Verity's modal instead of Stripe's (docs/stripe-js-modal.md).
 */
import { identityClient, scriptOrigin } from './identity-modal';
import type { VerityConstructor, VerityOptions } from './verity-js';

const origin = scriptOrigin();
const Verity: VerityConstructor = Object.assign(
  (publishableKey: string, options?: VerityOptions) => identityClient(origin, publishableKey, options),
  { version: 'v1' },
);
window.Verity = Verity;
