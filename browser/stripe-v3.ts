/**
 * Verity's Stripe.js drop-in, served at `/v3/`: a page that uses Stripe.js only for Identity
 * changes `https://js.stripe.com/v3/` to `https://<verity-host>/v3/` and its `pk_` key, and nothing
 * else. `window.Stripe(pk, options)` returns an object whose `verifyIdentity` opens Verity's modal;
 * every other Stripe.js method fails loudly instead of pretending to work. Load it before
 * `@stripe/stripe-js`'s `loadStripe()` runs, which then returns this (docs/stripe-js-modal.md).
 */
import { identityClient, scriptOrigin } from './identity-modal';
import type { VerityConstructor, VerityOptions } from './verity-js';

/** The release train of the newest `@stripe/stripe-js` (10.2.1): `loadStripe()` warns in test mode when `Stripe.version` differs. */
const RELEASE_TRAIN = 'endive';
const origin = scriptOrigin();

const unsupported = (name: string) => () => {
  throw new Error(
    `Verity's /v3/ script serves only stripe.verifyIdentity(); stripe.${name}() is Stripe.js's. ` +
      'A page that also takes payments keeps Stripe.js and loads Verity(…) from /v3/verity.js instead.',
  );
};

const construct = (publishableKey: string, options?: VerityOptions) => {
  const client = { ...identityClient(origin, publishableKey, options), _registerWrapper: () => undefined };
  // Any other method a Stripe.js integration calls fails with a message that says why; `then` and
  // symbols stay undefined, so the object can resolve a promise (loadStripe's) as it is.
  return new Proxy(client, {
    get: (target, property, receiver) =>
      property in target || typeof property !== 'string' || property === 'then' || property === 'toJSON'
        ? Reflect.get(target, property, receiver)
        : unsupported(property),
  });
};
const Stripe: VerityConstructor = Object.assign(construct, { version: RELEASE_TRAIN });
(window as unknown as { Stripe: VerityConstructor }).Stripe = Stripe;
