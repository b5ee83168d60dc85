/**
 * What the presented key may do in this request, checked in the endpoint chain
 * (functions/http/endpoint.ts) and handed to the endpoint for what only it can check:
 * - the route's permission (its declaration in functions/routes.ts), and a restricted key's
 *   allowed IPs against the source address API Gateway saw (`requestContext.http.sourceIp`,
 *   never a header the client sets), before anything is read;
 * - `expand[]` of objects of another resource (`last_verification_report`: `verification_reports`
 *   read) and of sensitive verification results (a restricted key with `sensitive_results`),
 *   once the parameters are read and before anything else, so an idempotent replay is held to it too;
 * - the 48 hours after a verification's processing in which such a key without allowed IPs may
 *   read its sensitive results: by the endpoint, which knows when each object was processed.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { checkKeyAccess, checkSensitiveResultsAge, checkSensitiveResultsKey, type KeyGrant, type KeyResource } from '../domain/api-keys';
import { routeOf } from '../routes';
import { VERIFICATION_REPORT_EXPANDABLE } from '../wire/verification-report';
import { SENSITIVE_VERIFIED_OUTPUTS } from '../wire/verification-session';
import type { Caller } from './authenticate';

/** Every includable field is a sensitive verification result (Stripe's access-verification-results guide). */
const SENSITIVE_PATHS: ReadonlySet<string> = new Set([...VERIFICATION_REPORT_EXPANDABLE, ...SENSITIVE_VERIFIED_OUTPUTS]);
/** Expandable ids of another resource than the route's, and the resource a key must be able to read to see them. */
const EXPANDED_RESOURCES: Record<string, KeyResource> = { last_verification_report: 'verification_reports' };

const requestOf = (caller: Caller, event: APIGatewayProxyEventV2) => ({
  key: caller.key,
  account: caller.scope.account,
  grant: caller.grant,
  sourceIp: event.requestContext.http.sourceIp,
});

/** Refuses (403) a request the key may not make on this route, or from this address. */
export function checkRouteAccess(caller: Caller, event: APIGatewayProxyEventV2): void {
  checkKeyAccess(requestOf(caller, event), routeOf(event.routeKey)?.permission);
}

/** What an endpoint checks itself: whether the key may read a given verification's sensitive results now. */
export interface RequestAccess {
  grant: KeyGrant;
  /** Whether the request's `expand[]` names sensitive verification results. */
  asksSensitive: boolean;
  /**
   * Refuses (403) the sensitive results of a verification processed at `processedAt` (epoch
   * seconds): `what` names them (an expand path, or a file's contents) in the error. A request
   * whose `expand[]` names them has passed the key's part already; this checks it again and the
   * 48 hours.
   */
  sensitiveResults(what: string, processedAt: number): void;
}

/**
 * Refuses (403) `expand[]` paths the key may not see, and returns what the endpoint checks per
 * object. `expand` is the request's `expand[]` as given (list paths start with `data.`).
 */
export function checkExpandAccess(
  caller: Caller,
  event: APIGatewayProxyEventV2,
  expand: readonly string[] | undefined,
  now: Date,
): RequestAccess {
  const request = requestOf(caller, event);
  let asksSensitive = false;
  for (const raw of expand ?? []) {
    const path = raw.startsWith('data.') ? raw.slice('data.'.length) : raw;
    const resource = EXPANDED_RESOURCES[path.split('.')[0]!];
    if (resource) checkKeyAccess(request, { resource, access: 'read' });
    if (SENSITIVE_PATHS.has(path)) {
      checkSensitiveResultsKey(request, raw);
      asksSensitive = true;
    }
  }
  return {
    grant: caller.grant,
    asksSensitive,
    sensitiveResults(what, processedAt) {
      checkSensitiveResultsKey(request, what);
      checkSensitiveResultsAge(caller.grant, processedAt, now);
    },
  };
}

/** Whether `expand` (resolved paths) names any sensitive verification result. */
export const expandsSensitive = (expand: ReadonlySet<string>): string | undefined => [...expand].find((path) => SENSITIVE_PATHS.has(path));
