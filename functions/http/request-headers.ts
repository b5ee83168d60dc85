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
import type { Scope } from '../domain/scope';
import { API_VERSION, servedVersion, type ServedVersion } from '../wire/api-versions';

type Headers = Record<string, string | undefined>;

/**
 * The version the request is answered in, given its `Stripe-Version` (headers with lower-case
 * names, as @middy/http-header-normalizer leaves them), for the authenticated `scope`. Throws 400
 * `invalid_request_error` (a `VerityError` of kind `invalid_parameter`, code
 * `api_version_invalid`, `param` null) for a value that is no Stripe version, never echoing it.
 */
export function requestedVersion(headers: Headers, scope: Scope): ServedVersion {
  const served = servedVersion(headers['stripe-version']);
  if (served.newerMajor) sayUpgradeDue(scope, served.requested!);
  return served;
}

/**
 * Throws 400 `invalid_request_error` code `account_invalid` (`param` null) when `Stripe-Account`
 * or `Stripe-Context` names another account than the authenticated `scope`'s; never echoes it.
 */
export function refuseOtherAccount(headers: Headers, scope: Scope): void {
  for (const name of ['stripe-account', 'stripe-context'] as const) {
    const value = headers[name];
    if (value !== undefined && value.trim() !== scope.account)
      throw otherAccount(name === 'stripe-account' ? 'Stripe-Account' : 'Stripe-Context');
  }
}

/** Per account and mode, the newer majors this container has logged: a few each, and a bounded number of accounts. */
const logged = new Map<string, Set<string>>();
const MAX_LOGGED_ACCOUNTS = 1000;
const MAX_LOGGED_PER_ACCOUNT = 3;

/**
 * One log line per account, mode and newer major (per container), so an operator sees that
 * clients send a major this Verity does not know and an upgrade is due. The line names the
 * version normalized (`date.name`, no betas: `servedVersion` bounds its length), so no caller's
 * text reaches the log, and one account can neither flood the log nor use up the lines of others.
 */
function sayUpgradeDue(scope: Scope, requested: string): void {
  const key = `${scope.account}:${scope.mode}`;
  let versions = logged.get(key);
  if (!versions) {
    if (logged.size >= MAX_LOGGED_ACCOUNTS) return;
    versions = new Set();
    logged.set(key, versions);
  }
  if (versions.has(requested) || versions.size >= MAX_LOGGED_PER_ACCOUNT) return;
  versions.add(requested);
  console.warn(
    JSON.stringify({
      level: 'warn',
      message:
        'a client sent a Stripe API version of a major this Verity does not know: it was answered in the newest version Verity knows; ' +
        'upgrade Verity to render the new major',
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
    `Verity has no Connect: a request cannot act as another account, so ${header} may only name the account of the secret key it is ` +
      `sent with. Send the request without ${header}, with the secret key of the account it is for.`,
    null,
  );
