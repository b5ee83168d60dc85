/**
 * The request headers Stripe documents or its SDKs send that would change what a caller gets,
 * each honoured or refused before any work (docs/api.md's *Request headers* table lists them all,
 * with the ones that change nothing and are ignored):
 *
 * - `Stripe-Account`, `Stripe-Context`: Connect's "act as this account". Verity has no Connect,
 *   so a value other than the caller's own account is refused; ignoring it would create the
 *   connected account's sessions in the platform's account and show the platform's data as
 *   theirs.
 * - `Stripe-Version`: the version the answer is rendered in (functions/wire/api-versions.ts): every
 *   version Stripe has released and any later one is served; a value that is no version is refused.
 *
 * `Idempotency-Key` is honoured by the endpoint itself (functions/http/endpoint.ts).
 */
import { invalidParameter } from '../domain/errors';
import type { Scope } from '../domain/verification-session';
import { API_VERSION, servedVersion, type ServedVersion } from '../wire/api-versions';

type Headers = Record<string, string | undefined>;

/**
 * The version the request is answered in, given `headers` (lower-case names, as
 * @middy/http-header-normalizer leaves them) for the authenticated `scope`. Throws 400
 * `invalid_request_error` (a `VerityError` of kind `invalid_parameter`, `param` null) for the
 * first header Verity cannot honour: code `account_invalid` for `Stripe-Account` /
 * `Stripe-Context` naming another account, `api_version_invalid` for a `Stripe-Version` that is no
 * Stripe version. Header values are never echoed.
 */
export function honourRequestHeaders(headers: Headers, scope: Scope): ServedVersion {
  for (const name of ['stripe-account', 'stripe-context'] as const) {
    const value = headers[name];
    if (value !== undefined && value.trim() !== scope.account) throw otherAccount(name === 'stripe-account' ? 'Stripe-Account' : 'Stripe-Context');
  }
  const requested = headers['stripe-version'];
  const served = servedVersion(requested);
  if (served.newerMajor) sayUpgradeDue(scope, requested!.trim());
  return served;
}

/** Account and version pairs this container has logged (bounded: a flood of names logs at most this many). */
const logged = new Set<string>();
const MAX_LOGGED = 1000;

/**
 * One log line per account and version (per container), so an operator sees that clients send a
 * major this Verity does not know and an upgrade is due. The version is well-formed by then
 * (`servedVersion` accepted it); the account id is no personal data.
 */
function sayUpgradeDue(scope: Scope, requested: string): void {
  const key = `${scope.account}:${scope.mode}:${requested}`;
  if (logged.has(key) || logged.size >= MAX_LOGGED) return;
  logged.add(key);
  console.warn(
    JSON.stringify({
      level: 'warn',
      message: 'a client sent a Stripe API version of a major this Verity does not know: it was answered in the newest version Verity knows; upgrade Verity to render the new major',
      account: scope.account,
      mode: scope.mode,
      requested_version: requested,
      served_version: API_VERSION,
    }),
  );
}

const otherAccount = (header: string) =>
  invalidParameter(
    'account_invalid',
    `Verity has no Connect: a request cannot act as another account, so ${header} may only name the account of the secret key it is sent with. Send the request without ${header}, with the secret key of the account it is for.`,
    null,
  );
