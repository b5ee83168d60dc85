/**
 * The request headers Stripe documents or its SDKs send that would change what a caller gets,
 * each honoured or refused before any work (the README's *Request headers* table lists them all,
 * with the ones that change nothing and are ignored):
 *
 * - `Stripe-Account`, `Stripe-Context`: Connect's "act as this account". Verity has no Connect,
 *   so a value other than the caller's own account is refused; ignoring it would create the
 *   connected account's sessions in the platform's account and show the platform's data as
 *   theirs.
 * - `Stripe-Version`: Verity renders one version's shapes (`API_VERSION`). Versions up to it are
 *   served (Identity's objects changed between versions only by added fields, which Stripe
 *   counts as backward compatible); a later one, whose changes Verity cannot know, a beta
 *   (`; name=v1`), or a value that is no version, is refused.
 *
 * `Idempotency-Key` is honoured by the endpoint itself (functions/http/endpoint.ts).
 */
import { invalidParameter } from '../domain/errors';
import type { Scope } from '../domain/verification-session';
import { API_VERSION } from '../wire/events';

type Headers = Record<string, string | undefined>;

/** Stripe's dated versions: `2026-10-28` or `2026-10-28.endive`. */
const VERSION = /^(\d{4}-\d{2}-\d{2})(?:\.[a-z]+)?$/;
const SERVED_UNTIL = API_VERSION.slice(0, 10);

/**
 * Throws 400 `invalid_request_error` (a `VerityError` of kind `invalid_parameter`, `param` null)
 * for the first header of `headers` (lower-case names, as @middy/http-header-normalizer leaves
 * them) that Verity cannot honour for the authenticated `scope`: code `account_invalid` for
 * `Stripe-Account` / `Stripe-Context` naming another account, `api_version_invalid` for a
 * `Stripe-Version` Verity does not serve. Header values are never echoed.
 */
export function refuseUnservedHeaders(headers: Headers, scope: Scope): void {
  for (const name of ['stripe-account', 'stripe-context'] as const) {
    const value = headers[name];
    if (value !== undefined && value.trim() !== scope.account) throw otherAccount(name === 'stripe-account' ? 'Stripe-Account' : 'Stripe-Context');
  }
  const version = headers['stripe-version'];
  if (version !== undefined) refuseUnservedVersion(version.trim());
}

function refuseUnservedVersion(version: string): void {
  const [requested, ...betas] = version.split(';');
  if (betas.length) {
    throw versionInvalid(`Verity implements no beta or preview features, so it cannot serve the Stripe-Version you sent (which names one after ';'). Send ${API_VERSION} alone.`);
  }
  const date = VERSION.exec(requested!.trim())?.[1];
  const day = date ? new Date(`${date}T00:00:00Z`) : undefined;
  // A calendar day: 2026-02-30 is no version.
  if (!day || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== date) {
    throw versionInvalid(`Invalid Stripe API version. Stripe-Version must be a dated version such as ${API_VERSION}.`);
  }
  if (date > SERVED_UNTIL) {
    throw versionInvalid(
      `Verity renders Stripe API version ${API_VERSION} and serves requests for it and older versions; the Stripe-Version you sent is newer, and its changes are unknown to Verity. Pin apiVersion: '${API_VERSION}' in the stripe SDK, or send no Stripe-Version.`,
    );
  }
}

const versionInvalid = (message: string) => invalidParameter('api_version_invalid', message, null);

const otherAccount = (header: string) =>
  invalidParameter(
    'account_invalid',
    `Verity has no Connect: a request cannot act as another account, so ${header} may only name the account of the secret key it is sent with. Send the request without ${header}, with the secret key of the account it is for.`,
    null,
  );
