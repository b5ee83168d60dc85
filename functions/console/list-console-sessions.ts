/**
 * `GET /console/verification_sessions`: the account's sessions in this mode, newest first, with
 * the API's filters (status, type, created range, client reference) and its cursors, 20 a page.
 * Shows ids, statuses, types and error codes: nothing personal, to every role. Searching by client
 * reference (a personal value the operator already has) is for reviewers and admins.
 *
 * The find box (`find`, exact match): a session id (`vs_…`) is a redirect to that session's page,
 * whose one GetItem of this account and mode finds it or says there is none; anything else is the
 * client reference filter (its index, one Query), for reviewers and admins. A viewer's other text is refused.
 */
import { SESSION_STATUSES, SESSION_TYPES, type SessionStatus, type SessionType } from '../domain/verification-session';
import { listSessions } from '../store/sessions';
import type { CreatedRange } from '../store/list-page';
import { isObjectId } from '../domain/ids';
import { CONSOLE_PATH, ConsoleRefusal, csrfToken, hasRole, requireConsole } from './console-access';
import { consoleHtml, consolePaging, consoleRedirect, consoleRoute, queryParam } from './console-http';
import { renderSessionList, type ListFilters } from './render';

const PAGE_SIZE = 20;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const badFilter = (message: string) => new ConsoleRefusal(400, 'This filter cannot be used', message);

/** `YYYY-MM-DD` (UTC) as epoch seconds at the day's start; a refusal for anything else. */
function dayStart(value: string, name: string): number {
  const ms = DAY.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms)) throw badFilter(`${name} must be a date (YYYY-MM-DD).`);
  return ms / 1000;
}

export const handler = consoleRoute(async (event) => {
  const { session: operator } = await requireConsole(event, 'viewer', new Date());
  const canSearchReference = hasRole(operator, 'reviewer');
  const find = queryParam(event, 'find')?.trim();
  if (find && isObjectId('vs', find)) return consoleRedirect(`${CONSOLE_PATH}/verification_sessions/${find}`);
  if (find && !canSearchReference)
    throw badFilter('A session id starts with vs_. Searching by client reference is for reviewers and admins.');
  const filters: ListFilters = {
    status: queryParam(event, 'status'),
    type: queryParam(event, 'type'),
    created_from: queryParam(event, 'created_from'),
    created_to: queryParam(event, 'created_to'),
    client_reference_id: canSearchReference ? (find ?? queryParam(event, 'client_reference_id')) : undefined,
  };
  if (filters.status !== undefined && !(SESSION_STATUSES as readonly string[]).includes(filters.status))
    throw badFilter(`status must be one of ${SESSION_STATUSES.join(', ')}.`);
  if (filters.type !== undefined && !(SESSION_TYPES as readonly string[]).includes(filters.type))
    throw badFilter(`type must be one of ${SESSION_TYPES.join(', ')}.`);
  if (filters.client_reference_id !== undefined && filters.client_reference_id.length > 5000)
    throw badFilter('A client reference is at most 5000 characters.');
  const created: CreatedRange = {};
  if (filters.created_from !== undefined) created.gte = dayStart(filters.created_from, 'Created from');
  if (filters.created_to !== undefined) created.lt = dayStart(filters.created_to, 'Created to') + 24 * 60 * 60;
  const paging = consolePaging(event, 'vs', badFilter('That page does not exist.'));
  const { sessions, hasMore } = await listSessions(operator.scope, {
    limit: PAGE_SIZE,
    ...paging.query,
    created,
    status: filters.status as SessionStatus | undefined,
    type: filters.type as SessionType | undefined,
    clientReferenceId: filters.client_reference_id,
  });
  return consoleHtml((nonce) =>
    renderSessionList(
      {
        operator: { session: operator, csrf: csrfToken(operator) },
        filters,
        sessions,
        canSearchReference,
        ...(find ? { find } : {}),
        ...paging.links(sessions, hasMore),
      },
      nonce,
    ),
  );
});
