/**
 * `GET /console/funnel`: the account's funnel in this mode (docs/console.md, "Funnel"), every role (counts
 * and error codes: nothing personal). Reads the funnel's counters only: `FUNNEL_SHARDS` Queries, never the sessions.
 */
import { readFunnel } from '../store/funnel-counts';
import { csrfToken, requireConsole } from './console-access';
import { consoleHtml, consoleRoute } from './console-http';
import { renderFunnel } from './render-funnel';

export const handler = consoleRoute(async (event) => {
  const now = new Date();
  const { session: operator } = await requireConsole(event, 'viewer', now);
  const funnel = await readFunnel(operator.scope, now);
  return consoleHtml((nonce) => renderFunnel({ operator: { session: operator, csrf: csrfToken(operator) }, funnel }, nonce));
});
