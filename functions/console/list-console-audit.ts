/** `GET /console/audit_events`: the account's audit log in this mode, newest first, 50 a page; every role (it holds no personal data). */
import { CONSOLE_AUDIT_ID_PREFIX, listConsoleAuditEvents } from '../store/audit-log';
import { ConsoleRefusal, csrfToken, requireConsole } from './console-access';
import { consoleHtml, consolePaging, consoleRoute } from './console-http';
import { renderAuditLog } from './render';

const PAGE_SIZE = 50;

export const handler = consoleRoute(async (event) => {
  const { session: operator } = await requireConsole(event, 'viewer', new Date());
  const paging = consolePaging(
    event,
    CONSOLE_AUDIT_ID_PREFIX,
    new ConsoleRefusal(400, 'No such page', 'That page of the audit log does not exist.'),
  );
  const { data, hasMore } = await listConsoleAuditEvents(operator.scope, { limit: PAGE_SIZE, ...paging.query });
  return consoleHtml((nonce) =>
    renderAuditLog(
      {
        operator: { session: operator, csrf: csrfToken(operator) },
        entries: data,
        ...paging.links(data, hasMore),
      },
      nonce,
    ),
  );
});
