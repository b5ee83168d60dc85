/** `GET /console/audit_events`: the account's audit log in this mode, newest first, 50 a page; every role (it holds no personal data). */
import { CONSOLE_AUDIT_ID_PREFIX, listConsoleAuditEvents } from '../store/audit-log';
import { isObjectId } from '../wire/ids';
import { ConsoleRefusal, csrfToken, requireConsole } from './console-access';
import { consoleHtml, consoleRoute, queryParam } from './console-http';
import { renderAuditLog } from './render';

const PAGE_SIZE = 50;

export const handler = consoleRoute(async (event) => {
  const { session: operator } = await requireConsole(event, 'viewer', new Date());
  const startingAfter = queryParam(event, 'starting_after');
  const endingBefore = queryParam(event, 'ending_before');
  for (const cursor of [startingAfter, endingBefore]) {
    if (cursor !== undefined && !isObjectId(CONSOLE_AUDIT_ID_PREFIX, cursor)) throw new ConsoleRefusal(400, 'No such page', 'That page of the audit log does not exist.');
  }
  const { data, hasMore } = await listConsoleAuditEvents(operator.scope, {
    limit: PAGE_SIZE,
    startingAfter: endingBefore === undefined ? startingAfter : undefined,
    endingBefore,
  });
  const paging = endingBefore !== undefined ? { newer: hasMore, older: true } : { newer: startingAfter !== undefined, older: hasMore };
  return consoleHtml((nonce) =>
    renderAuditLog(
      {
        operator: { session: operator, csrf: csrfToken(operator) },
        entries: data,
        ...(paging.older && data.length ? { next: data.at(-1)!.id } : {}),
        ...(paging.newer && data.length ? { previous: data[0]!.id } : {}),
      },
      nonce,
    ),
  );
});
